Feature: Health and readiness
  Load balancers and orchestrators ask two questions of every shop process.
  "Are you alive?" is answered by GET /health, which touches nothing but the
  process itself. "Can you serve?" is answered by GET /ready, which asks the
  database. Neither needs a token.

  Scenario: A running shop says it is alive
    When a client sends GET "/health"
    Then the response status is 200
    And the response body is:
      """
      {"status": "ok"}
      """

  Scenario: A shop whose database answers is ready
    When a client sends GET "/ready"
    Then the response status is 200
    And the response body is:
      """
      {"status": "ready"}
      """

  Scenario: A shop whose database was never migrated is not ready, and says why
    Given a shop on a database that was never migrated
    Then the log warns once that the schema needs "shop migrate"
    When a client sends GET "/ready"
    Then the response is a problem with status 503
    And the problem says "run `shop migrate`"
    And the response header "Retry-After" is "5"
    When the operator migrates that database
    And a client sends GET "/ready"
    Then the response status is 200

  Scenario: A shop whose database does not answer is alive but not ready
    Given a shop whose database cannot be reached
    When a client sends GET "/ready"
    Then the response is a problem with status 503
    And the problem says "database does not answer"
    And the response header "Retry-After" is "5"
    When a client sends GET "/health"
    Then the response status is 200

  Scenario Outline: While the database does not answer, <request> is 503 with Retry-After, not a crash
    Given a shop whose database cannot be reached
    When a client with a valid token sends <request>
    Then the response is a problem with status 503
    And the problem says "database is not available"
    And the response header "Retry-After" is "5"
    And the response does not mention "Traceback"
    And the response does not mention "nowhere"

    Examples:
      | request                |
      | GET "/products"        |
      | GET "/products/1"      |
      | GET "/orders/1"        |
      | GET "/users/me"        |

