Feature: Payments
  Every order has a ledger: the payments received for it and the refunds made
  from them, in the shop's exact money. GET /orders/{id}/payments shows it to
  the order's owner and to admins, with what was paid, refunded, is still due
  and is owed back. An order moves pending -> paid exactly once: in the
  transaction that records the payment that makes what was paid cover its
  total. Money that arrives for an order already cancelled (by its customer,
  an admin, or expiry) is recorded, never lost, and shown as owed back.

  Payments come from providers. `manual` is money an admin received (a bank
  transfer, cash on delivery, a card terminal) and records with
  POST /orders/{id}/payments, one payment per reference. `stripe` is a
  storefront's card payments: Stripe calls POST /payments/stripe/webhook,
  signed with the endpoint's secret (STRIPE_WEBHOOK_SECRET); the shop records
  `payment_intent.succeeded` (the order's id in `metadata.order_id`) and
  `charge.refunded`. Each Stripe event is acted on once, whatever Stripe
  retries; every delivery that is Stripe's is answered 200, so that Stripe
  does not retry it for days, and what the shop cannot apply is logged for a
  person to look at.

  Endpoints: GET /orders/{id}/payments, POST /orders/{id}/payments,
  POST /orders/{id}/refunds, POST /payments/stripe/webhook.

  Background:
    Given the shop's Stripe webhook secret is "whsec_test_shop"
    And an admin "root" with the password "correct horse battery"
    And a customer "ada" with the password "correct horse battery"
    And the product "Teapot" priced "19.99" with 10 in stock

  # -- The ledger ---------------------------------------------------------------

  Scenario: A new order owes its total and has no payments
    Given "ada" has ordered 2 "Teapot"
    When "ada" reads the payments of that order
    Then the response status is 200
    And the ledger says paid "0.00", refunded "0.00", due "39.98", owed back "0.00"
    And the ledger lists no payments

  Scenario: Another customer's ledger is not found
    Given a customer "bob" with the password "correct horse battery"
    And "ada" has ordered 2 "Teapot"
    When "bob" reads the payments of that order
    Then the response is a problem with status 404

  # -- Manual payments ----------------------------------------------------------

  Scenario: An admin records money received, and the order is paid when it covers the total
    Given "ada" has ordered 2 "Teapot"
    When "root" records a payment of "20.00" with the reference "bank 0001" for that order
    Then the response status is 201
    And that order is now pending
    When "root" records a payment of "19.98" with the reference "bank 0002" for that order
    Then the response status is 201
    And that order is now paid
    And the ledger says paid "39.98", refunded "0.00", due "0.00", owed back "0.00"
    And the order's payments are:
      | provider | reference | amount | applied |
      | manual   | bank 0001 | 20.00  | yes     |
      | manual   | bank 0002 | 19.98  | yes     |

  Scenario: A payment answers with what was recorded and where the ledger is
    Given "ada" has ordered 1 "Teapot"
    When "root" records a payment of 19.99 with the reference "till 7" for that order
    Then the response status is 201
    And the response's "amount" is "19.99"
    And the response's "provider" is "manual"
    And the response header "Location" ends with the ledger of that order

  Scenario: Money beyond the total is recorded and owed back
    Given "ada" has ordered 1 "Teapot"
    When "root" records a payment of "25.00" with the reference "bank 1" for that order
    Then that order is now paid
    And the ledger says paid "25.00", refunded "0.00", due "0.00", owed back "5.01"

  Scenario: The same reference is one payment: recording it again is 409
    Given "ada" has ordered 2 "Teapot"
    And "root" has recorded a payment of "20.00" with the reference "bank 0001" for that order
    When "root" records a payment of "20.00" with the reference "bank 0001" for that order
    Then the response is a problem with status 409
    And the order has 1 payment

  Scenario: A retried manual payment with the same Idempotency-Key is recorded once
    Given "ada" has ordered 1 "Teapot"
    When "root" records a payment of "19.99" with the reference "till 7" for that order with the Idempotency-Key "pay-1"
    And "root" records a payment of "19.99" with the reference "till 7" for that order with the Idempotency-Key "pay-1"
    Then the response status is 201
    And the response header "Idempotent-Replayed" is "true"
    And the order has 1 payment

  Scenario Outline: A manual payment that is not money is refused and records nothing: <amount>
    Given "ada" has ordered 1 "Teapot"
    When "root" records a payment of <amount> with the reference "x" for that order
    Then the response is a problem with status 422
    And the problem's errors are at "body.amount"
    And the order has 0 payments

    Examples:
      | amount  |
      | "0.00"  |
      | 0       |
      | "-1"    |
      | "1.999" |
      | "abc"   |

  Scenario: Money for an order that does not exist is 404
    When "root" records a payment of "1.00" with the reference "bank 9" for order 424242
    Then the response is a problem with status 404

  Scenario: An order with payments cannot be deleted: its money stays on record
    Given "ada" has ordered 2 "Teapot"
    And "root" has recorded a payment of "39.98" with the reference "bank 1" for that order
    When "root" deletes that order
    Then the response is a problem with status 409
    And the order has 1 payment

  # -- Stripe -------------------------------------------------------------------

  Scenario: A Stripe payment for the whole total marks the order paid
    Given "ada" has ordered 2 "Teapot"
    When Stripe delivers "evt_1" payment_intent.succeeded of 3998 "usd" for that order as "pi_1"
    Then the webhook's answer says "applied"
    And that order is now paid
    And the order's payments are:
      | provider | reference | amount | applied |
      | stripe   | pi_1      | 39.98  | yes     |

  Scenario: The same event delivered twice is acted on once
    Given "ada" has ordered 2 "Teapot"
    When Stripe delivers "evt_1" payment_intent.succeeded of 3998 "usd" for that order as "pi_1"
    And Stripe delivers "evt_1" payment_intent.succeeded of 3998 "usd" for that order as "pi_1"
    Then the webhook's answer says "repeat"
    And the order has 1 payment

  Scenario: Twenty deliveries of one event at once record one payment
    Given "ada" has ordered 2 "Teapot"
    When Stripe delivers "evt_1" payment_intent.succeeded of 3998 "usd" for that order as "pi_1" 20 times at once
    Then every delivery is answered 200
    And 1 of the answers says "applied" and the others "repeat"
    And the order has 1 payment
    And that order is now paid

  Scenario: Two payments at once that each cover the total: the order is paid once, and the rest is owed back
    Given "ada" has ordered 2 "Teapot"
    When Stripe delivers "evt_1" for "pi_1" and "evt_2" for "pi_2", each 3998 "usd" for that order, at once
    Then every delivery is answered 200
    And that order is now paid
    And the order has 2 payments
    And the ledger says paid "79.96", refunded "0.00", due "0.00", owed back "39.98"

  Scenario: A payment racing an admin's cancel: the order ends cancelled, and the money is owed back either way
    Given "ada" has ordered 2 "Teapot"
    When Stripe delivers "evt_1" payment_intent.succeeded of 3998 "usd" for that order as "pi_1" while "root" cancels it
    Then that order is now cancelled
    And the order has 1 payment
    And the ledger says "39.98" is owed back and nothing is due
    And the stock is 10 "Teapot"

  Scenario: Two events for one payment intent record one payment
    Given "ada" has ordered 2 "Teapot"
    When Stripe delivers "evt_1" payment_intent.succeeded of 3998 "usd" for that order as "pi_1"
    And Stripe delivers "evt_2" payment_intent.succeeded of 3998 "usd" for that order as "pi_1"
    Then the webhook's answer says "repeat"
    And the order has 1 payment

  Scenario Outline: A delivery not signed by Stripe for this shop is 400 and changes nothing: <why>
    Given "ada" has ordered 2 "Teapot"
    When a delivery of payment_intent.succeeded for that order arrives <signed>
    Then the response is a problem with status 400
    And that order is now pending
    And the order has 0 payments

    Examples:
      | why             | signed                            |
      | no signature    | without a Stripe-Signature header |
      | another secret  | signed with "whsec_someone_else"  |
      | a changed body  | signed, then its amount changed   |
      | six minutes old | signed 6 minutes ago              |
      | from the future | signed -6 minutes ago             |

  Scenario: A delivery signed four minutes ago is still Stripe's
    Given "ada" has ordered 2 "Teapot"
    When a delivery of payment_intent.succeeded for that order arrives signed 4 minutes ago
    Then the webhook's answer says "applied"

  Scenario: A shop without a Stripe secret takes no Stripe events
    Given a shop without a Stripe webhook secret
    And "ada" has ordered 2 "Teapot"
    When a delivery of payment_intent.succeeded for that order arrives signed with "whsec_test_shop"
    Then the response is a problem with status 400
    And the problem says "STRIPE_WEBHOOK_SECRET"
    And the order has 0 payments

  Scenario Outline: A payment the shop cannot apply is answered 200, marks nothing paid, and is logged for attention: <case>
    Given "ada" has ordered 2 "Teapot"
    When Stripe delivers "evt_1" payment_intent.succeeded of <amount> "<currency>" for <order> as "pi_1"
    Then the webhook's answer says "needs attention"
    And that order is now pending
    And the order has 0 payments
    And the log says the Stripe event "evt_1" needs attention

    Examples:
      | case             | amount | currency | order        |
      | another currency | 3998   | eur      | that order   |
      | an unknown order | 3998   | usd      | order 424242 |
      | no order id      | 3998   | usd      | no order     |

  Scenario: Money for an order that was cancelled is recorded and owed back
    Given "ada" has ordered 2 "Teapot"
    And that order is cancelled
    When Stripe delivers "evt_1" payment_intent.succeeded of 3998 "usd" for that order as "pi_1"
    Then the webhook's answer says "owed back"
    And that order is now cancelled
    And the ledger says paid "0.00", refunded "0.00", due "0.00", owed back "39.98"
    And the order's payments are:
      | provider | reference | amount | applied |
      | stripe   | pi_1      | 39.98  | no      |

  Scenario: A payment and an expiry at once end in exactly one of paid, or expired and owed back
    Given the shop expires unpaid orders after 60 seconds
    And "ada" has ordered 2 "Teapot"
    And 60 seconds pass
    When Stripe delivers "evt_1" payment_intent.succeeded of 3998 "usd" for that order as "pi_1" while the shop sweeps
    Then that order is either paid with nothing owed back, or expired with "39.98" owed back
    And the order has 1 payment

  Scenario: Event types the shop does not act on are answered 200 and change nothing
    When Stripe delivers "evt_9" of the type "customer.created"
    Then the webhook's answer says "ignored"

  # -- Refunds ------------------------------------------------------------------

  Scenario: An admin refunds part of a manual payment
    Given "ada" has ordered 2 "Teapot"
    And "root" has recorded a payment of "39.98" with the reference "bank 1" for that order
    When "root" refunds "10.00" of that order because "one teapot arrived broken"
    Then the response status is 201
    And the response's "reason" is "one teapot arrived broken"
    And the ledger says paid "39.98", refunded "10.00", due "0.00", owed back "0.00"
    And the order's payments are:
      | provider | reference | amount | refunded |
      | manual   | bank 1    | 39.98  | 10.00    |

  Scenario: Refunds never add up to more than the payment
    Given "ada" has ordered 2 "Teapot"
    And "root" has recorded a payment of "39.98" with the reference "bank 1" for that order
    And "root" has refunded "30.00" of that order because "damaged"
    When "root" refunds "10.00" of that order because "and more"
    Then the response is a problem with status 409
    And the problem says "9.98"
    And the ledger says paid "39.98", refunded "30.00", due "0.00", owed back "0.00"

  Scenario: A retried refund with the same Idempotency-Key gives money back once
    Given "ada" has ordered 2 "Teapot"
    And "root" has recorded a payment of "39.98" with the reference "bank 1" for that order
    When "root" refunds "10.00" of that order because "broken" with the Idempotency-Key "refund-1"
    And "root" refunds "10.00" of that order because "broken" with the Idempotency-Key "refund-1"
    Then the response status is 201
    And the response header "Idempotent-Replayed" is "true"
    And the ledger says paid "39.98", refunded "10.00", due "0.00", owed back "0.00"

  Scenario: An order without payments has nothing to refund
    Given "ada" has ordered 2 "Teapot"
    When "root" refunds "1.00" of that order because "goodwill"
    Then the response is a problem with status 409

  Scenario: Refunding money owed back settles it
    Given "ada" has ordered 2 "Teapot"
    And that order is cancelled
    And "root" has recorded a payment of "39.98" with the reference "bank 1" for that order
    When "root" refunds "39.98" of that order because "the order was cancelled"
    Then the ledger says paid "0.00", refunded "39.98", due "0.00", owed back "0.00"

  Scenario: A Stripe refund is recorded once from Stripe's charge.refunded event
    Given "ada" has ordered 2 "Teapot"
    And Stripe has delivered "evt_1" payment_intent.succeeded of 3998 "usd" for that order as "pi_1"
    When Stripe delivers "evt_2" charge.refunded of "pi_1" with the refund "re_1" of 1999
    And Stripe delivers "evt_3" charge.refunded of "pi_1" with the refund "re_1" of 1999
    Then the ledger says paid "39.98", refunded "19.99", due "0.00", owed back "0.00"
    And the order's payments are:
      | provider | reference | amount | refunded |
      | stripe   | pi_1      | 39.98  | 19.99    |

  Scenario: A charge that does not list its refunds is recorded by what it has refunded in all
    Stripe's API since 2022-11-15 sends the charge without its refunds; its amount_refunded says what went back.
    Given "ada" has ordered 2 "Teapot"
    And Stripe has delivered "evt_1" payment_intent.succeeded of 3998 "usd" for that order as "pi_1"
    When Stripe delivers "evt_3" charge.refunded of "pi_1", which has 3000 refunded in all
    And Stripe delivers "evt_2" charge.refunded of "pi_1", which has 1000 refunded in all
    Then the ledger says paid "39.98", refunded "30.00", due "0.00", owed back "0.00"

  Scenario: A refund the charge lists is not counted again when its total was recorded before
    Stripe's amount_refunded is what it gave back in all: the shop records no more, whichever way the charge comes.
    Given "ada" has ordered 2 "Teapot"
    And Stripe has delivered "evt_1" payment_intent.succeeded of 3998 "usd" for that order as "pi_1"
    When Stripe delivers "evt_2" charge.refunded of "pi_1", which has 1000 refunded in all
    And Stripe delivers "evt_3" charge.refunded of "pi_1" with the refund "re_1" of 1000
    Then the webhook's answer says "refunded"
    And the ledger says paid "39.98", refunded "10.00", due "0.00", owed back "0.00"

  Scenario: A refund that comes before its payment is refused, so that Stripe sends it again, and then recorded
    Stripe does not promise the order of its events: the payment's own may come later.
    Given "ada" has ordered 2 "Teapot"
    When Stripe delivers "evt_2" charge.refunded of "pi_1" with the refund "re_1" of 1000
    Then the response is a problem with status 409
    When Stripe delivers "evt_1" payment_intent.succeeded of 3998 "usd" for that order as "pi_1"
    And Stripe delivers "evt_2" charge.refunded of "pi_1" with the refund "re_1" of 1000
    Then the webhook's answer says "refunded"
    And the ledger says paid "39.98", refunded "10.00", due "0.00", owed back "0.00"

  Scenario: An admin who brings a pending order's total down to what was paid settles it
    Given "ada" has ordered 2 "Teapot"
    And "root" has recorded a payment of "30.00" with the reference "bank 1" for that order
    When "root" changes that order with:
      """
      {"total_price": "30.00"}
      """
    Then the response status is 200
    And that order is now paid
    And the ledger says paid "30.00", refunded "0.00", due "0.00", owed back "0.00"

  Scenario: A Stripe payment is refunded in Stripe, not through the shop
    The shop cannot move money at Stripe; the refund made there comes back as charge.refunded.
    Given "ada" has ordered 2 "Teapot"
    And Stripe has delivered "evt_1" payment_intent.succeeded of 3998 "usd" for that order as "pi_1"
    When "root" refunds "10.00" of that order because "broken"
    Then the response is a problem with status 409
    And the problem says "Stripe"
