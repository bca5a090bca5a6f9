Feature: Orders
  An order is {"id", "user_id", "status", "items", "total_price", "currency",
  "cancel_reason", "created_at", "updated_at"}; each item is {"product_id",
  "variant_id", "sku", "name", "options", "unit_price", "quantity",
  "line_total"}, with the SKU, options and price of the variant and the name of
  its product copied when the order is placed. A line names a variant
  ({"variant_id", "quantity"}), or a product that has one variant ({"product_id",
  "quantity"}); this feature orders products, variants.feature variants. total_price is the sum of the line
  totals unless an admin set it by hand. Placing an order takes the stock of
  every line in one transaction, or takes nothing at all: the shop never
  oversells. Statuses move pending -> paid | cancelled, paid -> shipped |
  cancelled, shipped -> delivered; cancelling puts the stock back. A
  cancelled order says who cancelled it in "cancel_reason" (expiry.feature).

  Endpoints: POST /orders, GET /orders, GET /orders/{id}, PATCH /orders/{id},
  DELETE /orders/{id}.

  Background:
    Given an admin "root" with the password "correct horse battery"
    And a customer "ada" with the password "correct horse battery"
    And a customer "bob" with the password "correct horse battery"
    And the product "Teapot" priced "19.99" with 10 in stock
    And the product "Mug" priced "4.50" with 3 in stock

  # -- Placing ----------------------------------------------------------------

  Scenario: A customer orders, prices are copied and the stock is taken
    Given "ada" has logged in
    When "ada" orders 2 "Teapot" and 3 "Mug"
    Then the response status is 201
    And the response is a pending order of "ada" totalling "53.48" USD with the lines:
      | name   | unit_price | quantity | line_total |
      | Teapot | 19.99      | 2        | 39.98      |
      | Mug    | 4.50       | 3        | 13.50      |
    And the response header "Location" is the new order's address
    And the stock is 8 "Teapot" and 0 "Mug"

  Scenario: A later price change does not touch an order already placed
    Given "ada" has logged in
    And "ada" has ordered 1 "Teapot"
    And the price of "Teapot" has since become "25.00"
    When "ada" reads that order
    Then the order totals "19.99"

  Scenario: An order larger than the stock changes nothing and names the short products
    Given "ada" has logged in
    When "ada" orders 2 "Teapot" and 4 "Mug"
    Then the response is a problem with status 409
    And the problem says "Mug"
    And the problem does not mention "Teapot"
    And the stock is 10 "Teapot" and 3 "Mug"
    And "ada" has no orders

  Scenario: Exactly the stock that is left can be ordered
    Given "ada" has logged in
    When "ada" orders 10 "Teapot" and 3 "Mug"
    Then the response status is 201
    And the stock is 0 "Teapot" and 0 "Mug"

  Scenario Outline: Each part of a new order is checked
    Given "ada" has logged in
    When "ada" places an order with the body:
      """
      <body>
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc   | msg   |
      | <loc> | <msg> |
    And the stock is 10 "Teapot" and 3 "Mug"

    Examples:
      | body                                                                      | loc                                     | msg                    |
      | {"items": []}                                                             | ["body", "items"]                       | at least 1             |
      | {}                                                                        | ["body", "items"]                       | required               |
      | {"items": [{"product_id": {Teapot}, "quantity": 0}]}                      | ["body", "items", 0, "quantity"]        | greater than or equal to 1 |
      | {"items": [{"product_id": {Teapot}, "quantity": 10001}]}                  | ["body", "items", 0, "quantity"]        | less than or equal to 10000 |
      | {"items": [{"product_id": {Teapot}, "quantity": "2"}]}                    | ["body", "items", 0, "quantity"]        | valid integer          |
      | {"items": [{"product_id": {Teapot}, "quantity": 1.5}]}                    | ["body", "items", 0, "quantity"]        | valid integer          |
      | {"items": [{"product_id": {Teapot}}]}                                     | ["body", "items", 0, "quantity"]        | required               |
      | {"items": [{"product_id": {Teapot}, "quantity": 1, "price": "0.01"}]}     | ["body", "items", 0, "price"]           | not permitted          |
      | {"items": [{"product_id": 424242, "quantity": 1}]}                        | ["body", "items", 0, "product_id"]      | no such product        |
      | {"items": [{"product_id": {Mug}, "quantity": 1}, {"product_id": {Mug}, "quantity": 1}]} | ["body", "items", 1, "product_id"] | more than once |
      | {"items": [{"product_id": {Teapot}, "quantity": 1}], "note": "x"}         | ["body", "note"]                        | not permitted          |

  Scenario: An order may have 100 lines but not 101
    Given 101 products "L001" to "L101"
    And "ada" has logged in
    When "ada" orders one of each of the first 100 of them
    Then the response status is 201
    When "ada" orders one of each of the 101 of them
    Then the response is a problem with status 422

  Scenario: A deleted product cannot be ordered
    Given the product "Teapot" has been deleted
    And "ada" has logged in
    When "ada" orders 1 "Teapot"
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                                | msg             |
      | ["body", "items", 0, "product_id"] | no such product |

  Scenario: The id of a deleted product is never given to a new one
    Given the product "Mug" has been deleted
    And the product "Cup" priced "1.00" with 5 in stock
    And "ada" has logged in
    When "ada" orders 1 "Mug"
    Then the response is a problem with status 422
    And the stock is 5 "Cup"

  Scenario: The id of a deleted order is never given to a new one
    Given "ada" has ordered 1 "Mug"
    And "ada" has deleted that order
    When "ada" orders 1 "Mug"
    Then the response status is 201
    And the new order has an id no order had before

  Scenario: A customer may name themself as the buyer, but nobody else
    Given "ada" has logged in
    When "ada" orders 1 "Mug" for "ada"
    Then the response status is 201
    When "ada" orders 1 "Mug" for "bob"
    Then the response is a problem with status 403
    And "bob" has no orders

  Scenario: An order for a user that does not exist is 422 at user_id
    Given "root" has logged in
    When "root" places an order with the body:
      """
      {"items": [{"product_id": {Teapot}, "quantity": 1}], "user_id": 424242}
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                 | msg          |
      | ["body", "user_id"] | no such user |

  Scenario: A customer naming any other buyer is refused, whether or not that user exists
    Given "ada" has logged in
    When "ada" places an order with the body:
      """
      {"items": [{"product_id": {Teapot}, "quantity": 1}], "user_id": 424242}
      """
    Then the response is a problem with status 403

  Scenario: An admin places an order for a customer
    Given "root" has logged in
    When "root" orders 1 "Mug" for "bob"
    Then the response status is 201
    And the response is a pending order of "bob" totalling "4.50" USD with the lines:
      | name | unit_price | quantity | line_total |
      | Mug  | 4.50       | 1        | 4.50       |

  # -- Reading ----------------------------------------------------------------

  Scenario: A customer lists their own orders, newest first
    Given "ada" has ordered 1 "Teapot"
    And "bob" has ordered 1 "Mug"
    And "ada" has ordered 2 "Teapot"
    And "ada" has logged in
    When a client sends GET "/orders"
    Then the listed orders are "ada"'s, totalling "39.98", "19.99"

  Scenario: A customer cannot list someone else's orders
    Given "ada" has logged in
    When "ada" lists the orders of "bob"
    Then the response is a problem with status 403

  Scenario: An admin lists every order, and filters by user and status
    Given "ada" has ordered 1 "Teapot"
    And "bob" has ordered 1 "Mug"
    And "ada" has ordered 2 "Teapot"
    And "ada"'s first order has been cancelled
    And "root" has logged in
    When a client sends GET "/orders"
    Then the listed orders total "39.98", "4.50", "19.99"
    When "root" lists the orders of "ada"
    Then the listed orders total "39.98", "19.99"
    When a client sends GET "/orders?status=cancelled"
    Then the listed orders total "19.99"

  Scenario Outline: Bad order list parameters are 422
    Given "root" has logged in
    When a client sends GET "/orders?<query>"
    Then the response is a problem with status 422

    Examples:
      | query        |
      | status=lost  |
      | user_id=x    |
      | user_id=0    |
      | per_page=0   |
      | status=      |
      | user_id=     |

  Scenario: A customer reads their own order, but someone else's does not exist for them
    Given "bob" has ordered 1 "Mug"
    And "ada" has logged in
    When "ada" reads "bob"'s order
    Then the response is a problem with status 404

  # -- Status moves -------------------------------------------------------------

  Scenario Outline: An admin moves an order from <from> to <to>
    Given "ada" has ordered 2 "Teapot"
    And that order is <from>
    And "root" has logged in
    When "root" sets that order's status to "<to>"
    Then the response status is 200
    And that order is now <to>

    Examples:
      | from    | to        |
      | pending | paid      |
      | pending | cancelled |
      | paid    | shipped   |
      | paid    | cancelled |
      | shipped | delivered |

  Scenario Outline: A move the status machine does not allow is 409 and changes nothing
    Given "ada" has ordered 2 "Teapot"
    And that order is <from>
    And "root" has logged in
    When "root" sets that order's status to "<to>"
    Then the response is a problem with status 409
    And that order is now <from>

    Examples:
      | from      | to        |
      | pending   | pending   |
      | pending   | shipped   |
      | pending   | delivered |
      | paid      | paid      |
      | paid      | pending   |
      | paid      | delivered |
      | shipped   | cancelled |
      | shipped   | paid      |
      | delivered | shipped   |
      | delivered | cancelled |
      | cancelled | pending   |
      | cancelled | paid      |
      | cancelled | cancelled |

  Scenario: Cancelling puts the stock back
    Given "ada" has ordered 2 "Teapot" and 3 "Mug"
    And "ada" has logged in
    When "ada" sets that order's status to "cancelled"
    Then the response status is 200
    And the stock is 10 "Teapot" and 3 "Mug"

  Scenario: Cancelling an order whose product was deleted returns the rest
    Given "ada" has ordered 2 "Teapot" and 3 "Mug"
    And the product "Mug" has been deleted
    And "root" has logged in
    When "root" sets that order's status to "cancelled"
    Then the response status is 200
    And the stock is 10 "Teapot"

  Scenario Outline: A customer may only cancel their own pending order
    Given "ada" has ordered 2 "Teapot"
    And that order is <from>
    And "ada" has logged in
    When "ada" changes that order with:
      """
      <body>
      """
    Then the response is a problem with status <status>
    And that order is now <from>

    Examples:
      | from    | body                      | status |
      | paid    | {"status": "cancelled"}   | 403    |
      | pending | {"status": "paid"}        | 403    |
      | pending | {"total_price": "0.00"}   | 403    |

  Scenario: An admin sets the total by hand
    Given "ada" has ordered 2 "Teapot"
    And "root" has logged in
    When "root" changes that order with:
      """
      {"total_price": "30.00"}
      """
    Then the response status is 200
    And the order totals "30.00"

  Scenario Outline: A change of an order is checked
    Given "ada" has ordered 2 "Teapot"
    And "root" has logged in
    When "root" changes that order with:
      """
      <body>
      """
    Then the response is a problem with status 422

    Examples:
      | body                      |
      | {}                        |
      | {"total_price": "-1.00"}  |
      | {"total_price": "1.001"}  |
      | {"status": "lost"}        |
      | {"status": null}          |
      | {"items": []}             |

  # -- Deleting ---------------------------------------------------------------

  Scenario Outline: Deleting an order puts back the stock it still holds
    Given "ada" has ordered 2 "Teapot"
    And that order is <status>
    And "root" has logged in
    When "root" deletes that order
    Then the response status is 204
    And "ada" has no orders
    And the stock is <stock> "Teapot"

    Examples:
      | status    | stock |
      | pending   | 10    |
      | paid      | 10    |
      | cancelled | 10    |

  Scenario Outline: Shipped and delivered orders cannot be deleted
    Given "ada" has ordered 2 "Teapot"
    And that order is <status>
    And "root" has logged in
    When "root" deletes that order
    Then the response is a problem with status 409
    And the stock is 8 "Teapot"

    Examples:
      | status    |
      | shipped   |
      | delivered |

  Scenario Outline: A customer deletes their own order only while it is pending or cancelled
    Given "ada" has ordered 2 "Teapot"
    And that order is <status>
    And "ada" has logged in
    When "ada" deletes that order
    Then the response status is <answer>

    Examples:
      | status    | answer |
      | pending   | 204    |
      | cancelled | 204    |
      | paid      | 403    |
      | shipped   | 409    |

  Scenario: A user whose orders exist cannot be deleted
    Given "ada" has ordered 1 "Mug"
    And "root" has logged in
    When "root" deletes the user "ada"
    Then the response is a problem with status 409
