Feature: Request ids
  Every response carries X-Request-ID, so a client and an operator can talk
  about the same request. A client may send its own id: it is kept when it is
  sane (1 to 128 characters of letters, digits, ".", "_" and "-"), else the
  shop makes a fresh UUID. The same id is in the access log line and in every
  problem body.

  Scenario Outline: A sane request id from the client is kept
    When a client sends GET "/health" with the header "X-Request-ID: <id>"
    Then the response carries the request id "<id>"

    Examples:
      | id                                   |
      | a                                    |
      | checkout-7f3a.retry_2                |
      | 0f8c2d9e-1b7a-4c3e-9d2f-5a6b7c8d9e0f |

  Scenario Outline: An unusable request id from the client is replaced by a fresh one
    When a client sends GET "/health" with the header "X-Request-ID: <id>"
    Then the response carries a fresh request id

    Examples:
      | id                   |
      | has spaces in it     |
      | semi;colon           |
      | ümlaut               |
      | <script>             |

  Scenario: A request id longer than 128 characters is replaced
    When a client sends GET "/health" with a header "X-Request-ID" of 129 "a" characters
    Then the response carries a fresh request id

  Scenario: A request id of exactly 128 characters is kept
    When a client sends GET "/health" with a header "X-Request-ID" of 128 "a" characters
    Then the response header "X-Request-ID" is "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

  Scenario: Without a request id the shop makes one
    When a client sends GET "/health"
    Then the response carries a fresh request id

  Scenario: Errors carry the request id in the body too
    When a client sends GET "/nowhere" with the header "X-Request-ID: trace-me"
    Then the response is a problem with status 404
    And the response carries the request id "trace-me"

  Scenario: Each request has one access line with its id, method, path, status and duration
    When a client sends GET "/nowhere" with the header "X-Request-ID: log-me"
    Then the log has one access line for request "log-me" that says GET "/nowhere" answered 404
