Feature: Errors are problem details
  Every error the shop answers with, whatever caused it, is an RFC 9457
  problem: Content-Type application/problem+json and a body with "type",
  "title", "status", "detail" and the "request_id" of the request. Bodies must
  be JSON of at most 1 MiB. Valid JSON that breaks a rule is a 422 whose
  "errors" say where ("loc") and what ("msg"). No error ever shows a stack
  trace, SQL, a password, a hash or a token.

  A problem's "type" says what kind of error it is, one type per status, all of
  one family: urn:shop:problem:bad-request (400), unauthorized (401),
  forbidden (403), not-found (404), method-not-allowed (405), conflict (409),
  precondition-failed (412), content-too-large (413),
  unsupported-media-type (415), validation (422), too-many-requests (429),
  internal (500) and unavailable (503). A client can switch on it without
  caring which part of the shop refused.

  Scenario Outline: A problem's type names its kind, whoever refused: <kind> for <method> <path>
    Given an admin "root" with the password "correct horse battery"
    And a customer "ada" with the password "correct horse battery"
    And the product "Mug" priced "4.50" with 10 in stock
    When <caller> sends <method> "<path>" with <body>
    Then the response is a problem with status <status>
    And the problem's type is "urn:shop:problem:<kind>"

    Examples:
      | caller | method | path                 | body                                                                   | status | kind               |
      | nobody | GET    | /no/such/thing       | none                                                                   | 404    | not-found          |
      | ada    | GET    | /orders/424242       | none                                                                   | 404    | not-found          |
      | nobody | DELETE | /health              | none                                                                   | 405    | method-not-allowed |
      | nobody | GET    | /products            | none                                                                   | 401    | unauthorized       |
      | ada    | POST   | /products            | {"name": "Cup", "price": "1.00", "stock": 1}                           | 403    | forbidden          |
      | ada    | POST   | /orders              | {"items": [{"product_id": {Mug}, "quantity": 1}], "user_id": 424242}   | 403    | forbidden          |
      | root   | POST   | /products            | {"name": "mug", "price": "1.00", "stock": 1}                           | 409    | conflict           |
      | ada    | POST   | /orders              | {"items": [{"product_id": {Mug}, "quantity": 11}]}                     | 409    | conflict           |
      | ada    | POST   | /orders              | {"items": []}                                                          | 422    | validation         |
      | ada    | GET    | /products?sort=colour | none                                                                  | 422    | validation         |
      | ada    | POST   | /login               | {"username": "ada", "password": }                                      | 400    | bad-request        |

  Scenario: An unknown path is 404
    When a client sends GET "/no/such/thing"
    Then the response is a problem with status 404

  Scenario Outline: An unsupported method on a known path is 405 and says what is allowed
    When a client sends <method> "<path>"
    Then the response is a problem with status 405
    And the response header "Allow" is "<allowed>"

    Examples: Methods HTTP knows, and methods nobody knows
      | method | path           | allowed                           |
      | DELETE | /health        | GET, HEAD, OPTIONS                |
      | PUT    | /products/1    | DELETE, GET, HEAD, PATCH, OPTIONS |
      | BREW   | /health        | GET, HEAD, OPTIONS                |
      | BREW   | /products/1    | DELETE, GET, HEAD, PATCH, OPTIONS |

  Scenario: Malformed JSON is 400
    When a client sends POST "/login" with the JSON body:
      """
      {"username": "ada", "password":
      """
    Then the response is a problem with status 400
    And the problem says "not valid JSON"

  Scenario: A body that is not UTF-8 is 400
    When a client sends POST "/login" with the raw bytes 7b 22 75 22 3a 22 ff fe 22 7d
    Then the response is a problem with status 400

  Scenario Outline: A body must be declared as JSON
    When a client sends POST "/login" with the content type "<content type>" and the body:
      """
      {"username": "ada", "password": "correct horse battery"}
      """
    Then the response status is <status>

    Examples:
      | content type                    | status |
      | text/json                       | 415    |
      | text/plain                      | 415    |
      | application/x-www-form-urlencoded | 415  |
      | application/json                | 401    |
      | application/json; charset=utf-8 | 401    |
      | Application/JSON                | 401    |

  Scenario: A body without a content type is 415
    When a client sends POST "/login" with no content type and the body:
      """
      {"username": "ada", "password": "correct horse battery"}
      """
    Then the response is a problem with status 415
    And the problem's type is "urn:shop:problem:unsupported-media-type"

  Scenario: A body over 1 MiB is 413
    When a client sends POST "/login" with a JSON body of 1048577 bytes
    Then the response is a problem with status 413
    And the problem's type is "urn:shop:problem:content-too-large"

  Scenario: A body of exactly 1 MiB is read
    When a client sends POST "/login" with a JSON body of 1048576 bytes
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                  | msg         |
      | ["body", "username"] | at most 320 |

  Scenario: Valid JSON that breaks a rule is 422 and says where
    When a client sends POST "/login" with the JSON body:
      """
      {"username": 42}
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                      | msg                   |
      | ["body", "username"]     | valid string          |
      | ["body", "password"]     | Field required        |

  Scenario: An unknown field is 422, so a typo is never silently dropped
    When a client sends POST "/login" with the JSON body:
      """
      {"username": "ada", "password": "correct horse battery", "pasword": "x"}
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                   | msg         |
      | ["body", "pasword"]   | not permitted |

  Scenario: A body that is not an object is 422
    When a client sends POST "/login" with the JSON body:
      """
      ["ada", "correct horse battery"]
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc        | msg                |
      | ["body"]   | valid dictionary   |

  Scenario: A key given twice in one object is 422 at that key
    When a client sends POST "/login" with the JSON body:
      """
      {"username": "ada", "password": "x", "username": "root"}
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                  | msg          |
      | ["body", "username"] | more than once |

  Scenario: A number too long for any field is 422 at that field, not a crash
    When a client sends POST "/login" with a username that is a number of 5000 digits
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                  | msg          |
      | ["body", "username"] | valid string |

  Scenario: A NUL character deep inside a body is 422, not a crash
    When a client sends POST "/login" with a NUL string nested 990 arrays deep
    Then the response is a problem with status 422

  Scenario: An unexpected failure is 500 with the request id and no trace
    Given the shop has a route "/explode" that fails unexpectedly
    When a client sends GET "/explode" with the header "X-Request-ID: crash-42"
    Then the response is a problem with status 500
    And the problem's type is "urn:shop:problem:internal"
    And the response carries the request id "crash-42"
    And the response does not mention "Traceback"
    And the response does not mention "RuntimeError"
    And the response does not mention "secret detail"
    And the log has an error for request "crash-42" with the traceback
