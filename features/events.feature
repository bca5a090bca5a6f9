Feature: The event feed
  The shop tells other systems what happened: a warehouse hears of a paid
  order, a mailer of a shipped one, the accounts of a refund. Every change
  writes its event in its own transaction (a transactional outbox), so an
  event is recorded if and only if its change happened: a refused change, a
  rolled-back one or a replayed retry tells nothing, and nothing is lost when
  a worker stops at the wrong moment.

  An event is {"id", "type", "created_at", "data"}, and "data" is the resource
  as the API showed it at that moment: the order for order.* events, the
  product for product.* events, the user for user.* events (never a password
  or its hash), the payment or the refund (with its "order_id") for
  payment.received and refund.created. The types are order.created,
  order.paid, order.shipped, order.delivered, order.cancelled (its
  "cancel_reason" says why: customer, admin or expired), order.updated (an
  admin set the total; "previous_total_price" says what it was),
  order.deleted, payment.received, refund.created, product.created,
  product.updated, product.deleted, user.created, user.updated ("changed"
  names what changed: email, password, role) and user.deleted.

  GET /events (admins) is the feed, oldest first. A consumer polls it with
  `after`, the id of the last event it has, or follows `next_cursor`; it
  never misses an event and never sees one twice, however many workers write
  at once. `type` filters. Webhooks push the same events (see webhooks).

  Endpoint: GET /events.

  Background:
    Given an admin "root" with the password "correct horse battery"
    And a customer "ada" with the password "correct horse battery"
    And the product "Teapot" priced "19.99" with 10 in stock

  # -- What is told ------------------------------------------------------------

  Scenario: Each step of an order's life is told once, in the order it happened
    Given "ada" has ordered 2 "Teapot"
    And "root" has recorded a payment of "39.98" with the reference "bank 1" for that order
    And "root" has set that order's status to "shipped"
    And "root" has set that order's status to "delivered"
    When "root" reads the event feed
    Then the response status is 200
    And the feed shows, oldest first:
      | type             | status    | amount | name   |
      | user.created     |           |        |        |
      | user.created     |           |        |        |
      | product.created  |           |        | Teapot |
      | order.created    | pending   |        |        |
      | payment.received |           | 39.98  |        |
      | order.paid       | paid      |        |        |
      | order.shipped    | shipped   |        |        |
      | order.delivered  | delivered |        |        |

  Scenario: An event carries the resource exactly as the API showed it
    Given "ada" has ordered 2 "Teapot"
    When "root" reads the event feed
    Then the "order.created" event's data is the answer that placed the order
    And every event has an id, a type and a created_at timestamp

  Scenario Outline: A cancelled order tells who cancelled it
    Given the shop expires unpaid orders after 60 seconds
    And "ada" has ordered 3 "Teapot"
    When <who> cancels that order
    And "root" reads the event feed
    Then the last event is "order.cancelled" with the cancel_reason "<reason>"

    Examples:
      | who         | reason   |
      | "ada"       | customer |
      | "root"      | admin    |
      | the sweeper | expired  |

  Scenario: A deleted order is told as it was when it went
    Given "ada" has ordered 2 "Teapot"
    And "ada" has set that order's status to "cancelled"
    When "ada" deletes that order
    And "root" reads the event feed
    Then the last event is "order.deleted" with the cancel_reason "customer"

  Scenario: Products are told as they are added, changed and removed
    Given "root" has logged in
    When "root" changes the product "Teapot" with:
      """
      {"price": "24.50"}
      """
    And "root" deletes the product "Teapot"
    And "root" reads the event feed
    Then the feed shows, oldest first:
      | type            | name   | price |
      | user.created    |        |       |
      | user.created    |        |       |
      | product.created | Teapot | 19.99 |
      | product.updated | Teapot | 24.50 |
      | product.deleted | Teapot | 24.50 |

  Scenario: A change that changes nothing tells nothing
    Given "root" has logged in
    When "root" changes the product "Teapot" with:
      """
      {"price": "19.99", "stock": 10}
      """
    And "root" reads the event feed
    Then the feed shows, oldest first:
      | type            |
      | user.created    |
      | user.created    |
      | product.created |

  Scenario: Accounts are told as they are made, changed and removed, never with a secret
    Given "root" has logged in
    When "root" adds the user "bob" with the password "correct horse battery"
    And "root" changes the user "bob" with:
      """
      {"email": "bob@elsewhere.example", "password": "another horse battery", "role": "admin"}
      """
    And "root" deletes the user "bob"
    And "root" reads the event feed
    Then the feed shows, oldest first:
      | type            | username | email                 | role     | changed                         |
      | user.created    | root     | root@shop.example     | admin    |                                 |
      | user.created    | ada      | ada@shop.example      | customer |                                 |
      | product.created |          |                       |          |                                 |
      | user.created    | bob      | bob@shop.example      | customer |                                 |
      | user.updated    | bob      | bob@elsewhere.example | admin    | ['email', 'password', 'role']   |
      | user.deleted    | bob      | bob@elsewhere.example | admin    |                                 |
    And no event mentions "horse battery", "argon2" or "session_generation"

  Scenario: A change of an account that changes nothing tells nothing
    Given "root" has logged in
    When "root" changes the user "ada" with:
      """
      {"email": "ada@shop.example", "role": "customer"}
      """
    Then the response status is 200
    When "root" reads the event feed with "type=user.updated"
    Then the feed is empty

  Scenario: An admin's new total is told with the total it replaced
    Given "ada" has ordered 2 "Teapot"
    And "root" has logged in
    When "root" changes that order with:
      """
      {"total_price": "30.00"}
      """
    And "root" reads the event feed with "type=order.updated"
    Then the feed shows, oldest first:
      | type          | status  | total_price | previous_total_price |
      | order.updated | pending | 30.00       | 39.98                |

  Scenario: A total brought down to what was paid is told, and so is the payment it settles
    Given "ada" has ordered 2 "Teapot"
    And "root" has recorded a payment of "30.00" with the reference "bank 1" for that order
    When "root" changes that order with:
      """
      {"total_price": "30.00"}
      """
    And "root" reads the event feed
    Then the feed shows, oldest first:
      | type             | status  | total_price | previous_total_price |
      | user.created     |         |             |                      |
      | user.created     |         |             |                      |
      | product.created  |         |             |                      |
      | order.created    | pending | 39.98       |                      |
      | payment.received |         |             |                      |
      | order.updated    | paid    | 30.00       | 39.98                |
      | order.paid       | paid    | 30.00       |                      |

  Scenario: Refunds are told with the order they belong to
    Given "ada" has ordered 1 "Teapot"
    And "root" has recorded a payment of "19.99" with the reference "bank 1" for that order
    When "root" refunds "5.00" of that order because "chipped lid"
    And "root" reads the event feed
    Then the last event is "refund.created" for that order with the amount "5.00"

  Scenario: A payment Stripe delivers twice is told once
    Given the shop's Stripe webhook secret is "whsec_test_shop"
    And "ada" has ordered 1 "Teapot"
    And Stripe has delivered "evt_1" payment_intent.succeeded of 1999 "usd" for that order as "pi_1"
    And Stripe has delivered "evt_1" payment_intent.succeeded of 1999 "usd" for that order as "pi_1"
    When "root" reads the event feed
    Then the feed shows, oldest first:
      | type             | status  | amount |
      | user.created     |         |        |
      | user.created     |         |        |
      | product.created  |         |        |
      | order.created    | pending |        |
      | payment.received |         | 19.99  |
      | order.paid       | paid    |        |

  # -- What is not told --------------------------------------------------------

  Scenario Outline: A refused change tells nothing
    Given "ada" has ordered 2 "Teapot"
    When <refused>
    Then the response is a problem with status <status>
    When "root" reads the event feed
    Then the feed shows, oldest first:
      | type            |
      | user.created    |
      | user.created    |
      | product.created |
      | order.created   |

    Examples:
      | refused                                                                   | status |
      | "ada" orders 11 "Teapot"                                                  | 409    |
      | "ada" orders 1 "Teapot" and 2 "Teapot"                                    | 422    |
      | "root" sets that order's status to "delivered"                            | 409    |
      | "root" records a payment of "0.00" with the reference "x" for that order | 422    |

  Scenario: A retry answered from its Idempotency-Key tells nothing again
    Given "ada" has ordered 2 "Teapot" with the Idempotency-Key "checkout-1"
    When "ada" orders 2 "Teapot" with the Idempotency-Key "checkout-1"
    And "root" reads the event feed
    Then the feed has 1 "order.created" event

  # -- Reading the feed ----------------------------------------------------------

  Scenario: A consumer polls with the id of the last event it has, and gets only what is new
    Given "ada" has ordered 1 "Teapot"
    And "root" has read the event feed
    And "root" has set that order's status to "paid"
    When "root" reads the events after the last one it has
    Then the feed shows, oldest first:
      | type       | status |
      | order.paid | paid   |
    When "root" reads the events after the last one it has
    Then the feed is empty

  Scenario: The feed filters by type
    Given "ada" has ordered 1 "Teapot"
    And "ada" has ordered 2 "Teapot"
    When "root" reads the event feed with "type=order.created"
    Then the feed shows, oldest first:
      | type          | total_price |
      | order.created | 19.99       |
      | order.created | 39.98       |

  Scenario: Following next_cursor walks the whole feed, each event once
    Given 24 products "Item 01" to "Item 24"
    When the client follows next_cursor from GET "/events?per_page=5" as "root"
    Then the walk saw 27 events, each once, oldest first

  Scenario Outline: A bad feed query is refused with 422, naming the parameter
    When "root" reads the event feed with "<query>"
    Then the response is a problem with status 422
    And the problem's errors are at "query.<name>"

    Examples:
      | query               | name     |
      | type=order.exploded | type     |
      | after=-1            | after    |
      | after=abc           | after    |
      | after=999999        | after    |
      | per_page=101        | per_page |

  Scenario: Customers may not read the feed
    When "ada" reads the event feed
    Then the response is a problem with status 403
