Feature: Unpaid orders expire
  An order placed and never paid would hold its stock forever: one abandoned
  checkout of the last ten teapots would take them off sale. With
  UNPAID_ORDER_TTL_SECONDS set (0, the default, never expires anything), a
  pending order older than that is cancelled with the reason "expired" and
  its stock goes back on sale. Every `shop serve` worker sweeps in the
  background, side by side with the others: each order expires once, in one
  conditional write. `shop expire-orders` sweeps once, for those who prefer
  cron. Every cancelled order says why in "cancel_reason": "customer",
  "admin" or "expired" (null on orders that are not cancelled).

  Background:
    Given an admin "root" with the password "correct horse battery"
    And a customer "ada" with the password "correct horse battery"
    And the product "Teapot" priced "19.99" with 10 in stock

  Scenario: A pending order past its time is cancelled as expired, and its stock comes back
    Given the shop expires unpaid orders after 60 seconds
    And "ada" has ordered 3 "Teapot"
    When 61 seconds pass and the shop sweeps
    Then that order is cancelled with the reason "expired"
    And the stock is 10 "Teapot"

  Scenario: An order within its time stays pending
    Given the shop expires unpaid orders after 60 seconds
    And "ada" has ordered 3 "Teapot"
    When 59 seconds pass and the shop sweeps
    Then that order is now pending
    And the stock is 7 "Teapot"

  Scenario: A paid order never expires
    Given the shop expires unpaid orders after 60 seconds
    And "ada" has ordered 1 "Teapot"
    And that order is paid
    When 61 seconds pass and the shop sweeps
    Then that order is now paid

  Scenario: Money that arrives after the order expired is recorded and owed back, and the order stays cancelled
    Given the shop expires unpaid orders after 60 seconds
    And the shop's Stripe webhook secret is "whsec_test_shop"
    And "ada" has ordered 2 "Teapot"
    And 61 seconds pass and the shop sweeps
    When Stripe delivers "evt_1" payment_intent.succeeded of 3998 "usd" for that order as "pi_1"
    Then the webhook's answer says "owed back"
    And that order is cancelled with the reason "expired"
    And the ledger says paid "0.00", refunded "0.00", due "0.00", owed back "39.98"
    And the stock is 10 "Teapot"

  Scenario: Without a time to live nothing expires
    Given "ada" has ordered 3 "Teapot"
    When 400 days pass and the shop sweeps
    Then that order is now pending
    And the stock is 7 "Teapot"

  Scenario: Sweeps that run at once expire an order once and put its stock back once
    Given the shop expires unpaid orders after 60 seconds
    And "ada" has ordered 3 "Teapot"
    And "ada" has ordered 2 "Teapot"
    When 61 seconds pass and 4 sweeps run at once
    Then "ada"'s orders are cancelled with the reason "expired"
    And the stock is 10 "Teapot"

  Scenario: The customer reads why their order was cancelled
    Given the shop expires unpaid orders after 60 seconds
    And "ada" has ordered 1 "Teapot"
    And 61 seconds pass and the shop sweeps
    And "ada" has logged in
    When "ada" reads that order
    Then the response status is 200
    And the response's "cancel_reason" is "expired"

  Scenario Outline: A cancelled order says who cancelled it: <who>
    Given "ada" has ordered 1 "Teapot"
    And "<who>" has logged in
    When "<who>" sets that order's status to "cancelled"
    Then the response status is 200
    And the response's "cancel_reason" is "<reason>"

    Examples:
      | who  | reason   |
      | ada  | customer |
      | root | admin    |

  Scenario: An order that is not cancelled has no cancel reason
    Given "ada" has ordered 1 "Teapot"
    And "ada" has logged in
    When "ada" reads that order
    Then the response's "cancel_reason" is null

  Scenario: `shop expire-orders` sweeps once and says how many expired
    Given an operator whose shop expires unpaid orders after 60 seconds
    And an order of that shop placed 2 minutes ago
    When the operator runs "shop expire-orders"
    Then the command succeeds
    And its output mentions "1 unpaid order expired."

  Scenario: `shop serve` expires orders in the background, within seconds of their deadline
    Given an operator whose shop expires unpaid orders after 2 seconds
    And the operator has started "shop serve"
    And an order of that shop placed just now
    Then within 10 seconds that shop's order is cancelled as expired
