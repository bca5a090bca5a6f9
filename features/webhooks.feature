Feature: Webhooks
  A webhook tells another system (an ERP, a warehouse, a mailer) what happens
  in the shop as it happens: each event of the types it wants is POSTed to
  its URL as JSON, `{"id", "type", "created_at", "data"}`, where `data` is the
  resource as the API shows it. Only admins make and manage webhooks.

  Every request carries the headers Shop-Event-Id, Shop-Event-Type and
  Shop-Signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "{t}.{body}">`
  under the webhook's secret, which is shown once, when the webhook is made.
  A 2xx answer within 10 seconds is a delivery; anything else (another
  status, a redirect, no answer, no connection) is tried again later, after
  10 s, 20 s, 40 s and so on (WEBHOOK_RETRY_BASE_SECONDS, doubled each time,
  with some jitter). After 14 attempts, about 23 hours, the delivery is failed
  and an admin may retry it. Every event is delivered at least once: a
  receiver uses Shop-Event-Id to act on each once. The events of one order
  (or product) reach a receiver in the order they happened: a later one
  waits while an earlier one is still being retried.

  A webhook's URL is https:// to a public address. A receiver beside the shop
  (http://, this machine, a private network) needs
  WEBHOOK_ALLOW_PRIVATE_NETWORKS=true, as these scenarios' receiver does.

  Endpoints: POST /webhooks, GET /webhooks, GET|PATCH|DELETE /webhooks/{id},
  GET /webhooks/{id}/deliveries, POST /webhooks/{id}/deliveries/{id}/retry.

  Background:
    Given an admin "root" with the password "correct horse battery"
    And a customer "ada" with the password "correct horse battery"
    And the product "Teapot" priced "19.99" with 10 in stock

  # -- Making and managing webhooks ------------------------------------------------

  Scenario: A new webhook's secret is shown once, when it is made
    When "root" makes a webhook with:
      """
      {"url": "https://erp.example/shop-events", "events": ["order.paid", "order.created"], "description": "ERP"}
      """
    Then the response status is 201
    And the response header "Location" is that webhook's address
    And the response carries a secret starting with "whsec_"
    And the response's "events" is the list ["order.created", "order.paid"]
    And the response's "active" is true
    When "root" reads that webhook
    Then the response status is 200
    And the response's "url" is "https://erp.example/shop-events"
    And the response does not show that webhook's secret
    When "root" lists the webhooks
    Then the page says page 1 of 20 per page with 1 in total
    And the response does not show that webhook's secret

  Scenario: Only known event types, or "*" for all; a type named twice counts once
    When "root" makes a webhook for "https://erp.example/hook" wanting "order.paid, order.paid"
    Then the response status is 201
    And the response's "events" is the list ["order.paid"]
    When "root" makes a webhook for "https://erp.example/hook" wanting "*"
    Then the response status is 201
    When "root" makes a webhook for "https://erp.example/hook" wanting "order.paid, order.lost"
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                  | msg        |
      | ["body","events",1]  | must be one of |
    When "root" makes a webhook with:
      """
      {"url": "https://erp.example/hook", "events": [], "secret": "mine"}
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                | msg                     |
      | ["body","events"]  | at least 1 item         |
      | ["body","secret"]  | extra inputs are not permitted |

  Scenario Outline: Where a webhook may point: <url>
    When "root" makes a webhook for "<url>" wanting "*"
    Then the response status is <by default>
    When the shop may send webhooks to private networks
    And "root" makes a webhook for "<url>" wanting "*"
    Then the response status is <with private networks>

    Examples: Saving looks no name up, so a public name is taken offline
      | url                                 | by default | with private networks |
      | https://example.com/hook            | 201        | 201                   |
      | https://93.184.215.14:8443/hook     | 201        | 201                   |
      | https://[2606:4700::6810:84e5]/hook | 201        | 201                   |

    Examples: This machine, private networks and plain http need WEBHOOK_ALLOW_PRIVATE_NETWORKS
      | url                            | by default | with private networks |
      | http://example.com/hook        | 422        | 201                   |
      | https://localhost/hook         | 422        | 201                   |
      | https://api.localhost/hook     | 422        | 201                   |
      | https://127.0.0.1/hook         | 422        | 201                   |
      | https://127.1/hook             | 422        | 201                   |
      | https://2130706433/hook        | 422        | 201                   |
      | https://[::1]/hook             | 422        | 201                   |
      | https://10.1.2.3/hook          | 422        | 201                   |
      | https://192.168.0.10/hook      | 422        | 201                   |
      | https://172.16.0.1/hook        | 422        | 201                   |
      | https://169.254.169.254/latest | 422        | 201                   |
      | https://0.0.0.0/hook           | 422        | 201                   |
      | https://[::ffff:10.0.0.1]/hook | 422        | 201                   |
      | https://[fd00::1]/hook         | 422        | 201                   |

    Examples: Never: another scheme, no host, or credentials in the URL
      | url                              | by default | with private networks |
      | ftp://example.com/hook           | 422        | 422                   |
      | file:///etc/passwd               | 422        | 422                   |
      | https:///hook                    | 422        | 422                   |
      | https://user:pass@example.com/h  | 422        | 422                   |
      | https://example.com:99999/hook   | 422        | 422                   |

  Scenario: A refused URL says why, at body.url
    When "root" makes a webhook for "https://10.0.0.7/hook" wanting "*"
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc           | msg                         |
      | ["body","url"] | 10.0.0.7 is not a public address |

  Scenario: An admin changes a webhook; the secret stays
    Given the shop may send webhooks to private networks
    And "root" has made a webhook for the receiver wanting "order.created"
    When "root" changes that webhook with:
      """
      {"events": ["*"], "active": false, "description": "paused"}
      """
    Then the response status is 200
    And the response's "events" is the list ["*"]
    And the response's "active" is false
    And the response's "description" is "paused"
    And the response does not show that webhook's secret
    When "root" changes that webhook with:
      """
      {}
      """
    Then the response is a problem with status 422
    When "root" changes that webhook with:
      """
      {"url": "ftp://erp.example/hook"}
      """
    Then the response is a problem with status 422

  Scenario: A deleted webhook is gone, with its deliveries
    Given the shop may send webhooks to private networks
    And "root" has made a webhook for the receiver wanting "*"
    And "ada" has ordered 1 "Teapot"
    When "root" deletes that webhook
    Then the response status is 204
    When "root" reads that webhook
    Then the response is a problem with status 404
    When "root" lists the deliveries of that webhook
    Then the response is a problem with status 404
    When the shop's sender has run
    Then the receiver got no requests

  Scenario: Customers may not see or touch webhooks
    Given the shop may send webhooks to private networks
    And "root" has made a webhook for the receiver wanting "*"
    When "ada" reads that webhook
    Then the response is a problem with status 403
    When "ada" lists the deliveries of that webhook
    Then the response is a problem with status 403

  # -- Deliveries ------------------------------------------------------------------

  Scenario: An event is delivered signed with the webhook's secret
    Given the shop may send webhooks to private networks
    And "root" has made a webhook for the receiver wanting "order.created"
    And "ada" has ordered 1 "Teapot"
    When the shop's sender has run
    Then the receiver got 1 request
    And every request the receiver got is a signed event
    And the event the receiver got is about that order, as "root" sees it
    And the deliveries of that webhook are, newest first:
      | event_type    | status    | attempts | status_code |
      | order.created | delivered | 1        | 204         |

  Scenario: A webhook gets only the types it wants
    Given the shop may send webhooks to private networks
    And "root" has made a webhook for the receiver wanting "order.paid"
    And "ada" has ordered 1 "Teapot"
    When "root" sets that order's status to "paid"
    And the shop's sender has run
    Then the receiver got these events, in order:
      | type       | answer |
      | order.paid | 204    |

  Scenario: An inactive webhook gets nothing, not even later
    Given the shop may send webhooks to private networks
    And "root" has made a webhook for the receiver wanting "*"
    And "root" has changed that webhook with:
      """
      {"active": false}
      """
    And "ada" has ordered 1 "Teapot"
    When the shop's sender has run
    Then the receiver got no requests
    And that webhook has no deliveries

  Scenario: A receiver that fails twice gets the event three times, and it is delivered
    Given the shop may send webhooks to private networks
    And "root" has made a webhook for the receiver wanting "order.created"
    And the receiver fails 2 times before it answers
    And "ada" has ordered 1 "Teapot"
    When the shop's sender has run
    Then the deliveries of that webhook are, newest first:
      | event_type    | status  | attempts | status_code |
      | order.created | pending | 1        | 500         |
    And the delivery's error says "answered HTTP 500"
    When the shop's sender has run until nothing is pending
    Then the receiver got these events, in order:
      | type          | answer |
      | order.created | 500    |
      | order.created | 500    |
      | order.created | 204    |
    And every request the receiver got is a signed event
    And the deliveries of that webhook are, newest first:
      | event_type    | status    | attempts | status_code |
      | order.created | delivered | 3        | 204         |

  Scenario: The events of one order arrive in order, a later one waiting while an earlier one is retried
    Given the shop may send webhooks to private networks
    And "root" has made a webhook for the receiver wanting "*"
    And the receiver fails 2 times before it answers
    And "ada" has ordered 1 "Teapot"
    When "root" sets that order's status to "paid"
    And "root" sets that order's status to "shipped"
    And the shop's sender has run until nothing is pending
    Then the receiver got these events, in order:
      | type          | answer |
      | order.created | 500    |
      | order.created | 500    |
      | order.created | 204    |
      | order.paid    | 204    |
      | order.shipped | 204    |

  Scenario: A receiver down for the whole day: the delivery fails, and an admin retries it
    Given the shop may send webhooks to private networks
    And the shop retries a failed delivery after 0.001 seconds at first
    And "root" has made a webhook for the receiver wanting "order.created"
    And the receiver is down
    And "ada" has ordered 1 "Teapot"
    When the shop's sender has run until nothing is pending
    Then the deliveries of that webhook are, newest first:
      | event_type    | status | attempts | status_code | next_attempt_at |
      | order.created | failed | 14       | None        | None            |
    And the delivery's error says "ConnectError"
    When the receiver is back up
    And "root" retries the delivery of "order.created" to that webhook
    Then the response status is 202
    And the response's "status" is "pending"
    When the shop's sender has run
    Then the receiver got 1 request
    And the deliveries of that webhook are, newest first:
      | event_type    | status    | attempts | status_code |
      | order.created | delivered | 15       | 204         |

  Scenario: Only a failed delivery can be retried
    Given the shop may send webhooks to private networks
    And "root" has made a webhook for the receiver wanting "order.created"
    And "ada" has ordered 1 "Teapot"
    And the shop's sender has run
    When "root" retries the delivery of "order.created" to that webhook
    Then the response is a problem with status 409
    And the problem says "delivered"
    When "root" retries the delivery 999 of that webhook
    Then the response is a problem with status 404

  Scenario: Deliveries are listed newest first, and filtered by status
    Given the shop may send webhooks to private networks
    And "root" has made a webhook for the receiver wanting "order.created, order.paid"
    And "ada" has ordered 1 "Teapot"
    And the shop's sender has run
    When "root" sets that order's status to "paid"
    And "root" lists the deliveries of that webhook
    Then the response status is 200
    And the response header "X-Total-Count" is "2"
    And the deliveries of that webhook are, newest first:
      | event_type    | status    | attempts |
      | order.paid    | pending   | 0        |
      | order.created | delivered | 1        |
    When "root" lists the delivered deliveries of that webhook
    Then the page says page 1 of 20 per page with 1 in total

  # -- In the background ------------------------------------------------------------

  Scenario: The shop sends on its own, in the background, without a request waiting for it
    Given the shop may send webhooks to private networks
    And "root" has made a webhook for the receiver wanting "order.created"
    And "ada" has ordered 1 "Teapot"
    When the shop runs for a moment on its own
    Then the receiver got 1 request
    And every request the receiver got is a signed event

  Scenario: `shop serve` sends webhooks in the background of its workers
    Given the shop may send webhooks to private networks
    And an operator whose shop may send webhooks to private networks
    And the operator has started "shop serve"
    And "root" has made a webhook for the receiver wanting "order.created"
    And an order of that shop placed just now
    Then within 10 seconds the receiver got 1 request

  Scenario: `shop deliver-webhooks --once` sends what is due, and says how much
    Given the shop may send webhooks to private networks
    And an operator whose shop may send webhooks to private networks
    And "root" has made a webhook for the receiver wanting "order.created"
    And an order of that shop placed just now
    When the operator runs "shop deliver-webhooks --once"
    Then the command succeeds
    And its output mentions "1 delivery attempted."
    And the receiver got 1 request
