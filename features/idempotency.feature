Feature: Idempotent retries of orders
  A client that is not sure its order went through sends it again with the
  same Idempotency-Key header (1 to 255 characters). Within 24 hours, the same
  user, key and body get the first answer again, with the same status and body
  and `Idempotent-Replayed: true`, and nothing new is created. The same key
  with a different body is a mistake (422); a retry while the first request is
  still running is told to wait (409). Keys belong to their user.

  Background:
    Given a customer "ada" with the password "correct horse battery"
    And a customer "bob" with the password "correct horse battery"
    And the product "Teapot" priced "19.99" with 10 in stock

  Scenario: A retry gets the first answer and creates nothing
    Given "ada" has logged in
    When "ada" orders 2 "Teapot" with the Idempotency-Key "order-7f3a"
    Then the response status is 201
    When "ada" orders 2 "Teapot" with the Idempotency-Key "order-7f3a"
    Then the response status is 201
    And the response header "Idempotent-Replayed" is "true"
    And the response body is the first answer's
    And "ada" has 1 order
    And the stock is 8 "Teapot"

  Scenario: A retry after the order was deleted still gets the first answer
    Given "ada" has logged in
    And "ada" has ordered 2 "Teapot" with the Idempotency-Key "order-7f3a"
    And "ada" has deleted that order
    When "ada" orders 2 "Teapot" with the Idempotency-Key "order-7f3a"
    Then the response status is 201
    And the response header "Idempotent-Replayed" is "true"
    And the response body is the first answer's
    And "ada" has 0 orders
    And the stock is 10 "Teapot"

  Scenario: A refused order is replayed as refused
    Given "ada" has logged in
    When "ada" orders 11 "Teapot" with the Idempotency-Key "too-many"
    Then the response is a problem with status 409
    When "ada" orders 11 "Teapot" with the Idempotency-Key "too-many"
    Then the response status is 409
    And the response header "Idempotent-Replayed" is "true"

  Scenario: The same key with a different body is 422
    Given "ada" has logged in
    When "ada" orders 2 "Teapot" with the Idempotency-Key "order-7f3a"
    And "ada" orders 3 "Teapot" with the Idempotency-Key "order-7f3a"
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                            | msg              |
      | ["header", "Idempotency-Key"]  | different body   |
    And "ada" has 1 order

  Scenario: Keys are per user
    Given "ada" has logged in
    And "ada" has ordered 2 "Teapot" with the Idempotency-Key "shared-key"
    And "bob" has logged in
    When "bob" orders 2 "Teapot" with the Idempotency-Key "shared-key"
    Then the response status is 201
    And the response has no header "Idempotent-Replayed"
    And "bob" has 1 order
    And the stock is 6 "Teapot"

  Scenario: A key is forgotten after 24 hours
    Given "ada" has logged in
    And "ada" has ordered 2 "Teapot" with the Idempotency-Key "order-7f3a"
    And 1441 minutes pass
    When "ada" orders 2 "Teapot" with the Idempotency-Key "order-7f3a"
    Then the response status is 201
    And the response has no header "Idempotent-Replayed"
    And "ada" has 2 orders

  Scenario: A retry while the first request is still running is 409
    Given "ada" has logged in
    And a request of "ada" with the Idempotency-Key "in-flight" is still running
    When "ada" orders 2 "Teapot" with the Idempotency-Key "in-flight"
    Then the response is a problem with status 409
    And the problem says "still running"
    And "ada" has 0 orders

  Scenario Outline: An Idempotency-Key must be 1 to 255 characters
    Given "ada" has logged in
    When "ada" orders 2 "Teapot" with an Idempotency-Key of <length> "<char>" characters
    Then the response status is <status>

    Examples: Characters, not bytes: "é" is two bytes in UTF-8
      | length | char | status |
      | 255    | k    | 201    |
      | 256    | k    | 422    |
      | 255    | é    | 201    |
      | 256    | é    | 422    |
