@checkout
Feature: Checkout: what an order costs, shipped and taxed, and its quote
  An order (POST /orders) and a quote of it (POST /orders/quote) take, besides
  "items": "shipping_address" (an address) or "shipping_address_id" (one of the
  caller's address book), and "shipping_rate_id". Without an address nothing
  ships (picked up, or digital) and shipping costs nothing. With one, a rate of
  the shipping zone that holds its country is needed.

  Every figure is computed by one set of rules, in integer cents, rounding half
  up to the cent on each line, in this order:
    1. A line's subtotal is its unit price times its quantity.
    2. (A discount, when there is one, comes off the lines here.)
    3. Shipping is the rate's price, or nothing when the subtotal (after
       discounts) reaches the rate's "free_over". A rate with "min_subtotal" or
       "max_subtotal" only serves subtotals in that range.
    4. Tax, on each line and on shipping, at the rate of the shipping country
       (without an address: the shop's SHOP_COUNTRY, unset: no tax) for the
       line's tax class (shipping: "standard"); no rate, no tax. When prices
       exclude tax (the default): tax = base x rate / 100. When they include
       it (PRICES_INCLUDE_TAX=true): tax = base x rate / (100 + rate).
    5. A line's total is its subtotal less its discount, plus its tax when
       prices exclude tax; the order's total is its lines' totals and shipping,
       plus shipping's tax when prices exclude tax.

  The order and its quote show every figure: on each line "unit_price",
  "quantity", "subtotal", "discount", "tax_class", "tax_rate", "tax" and
  "line_total"; on the whole "subtotal", "discount_total", "shipping_total",
  "tax_total" (the lines' tax and the shipping's), "total_price",
  "prices_include_tax", "discount_code", "shipping_address" (the order's own
  copy) and "shipping_rate" ({"id", "name", "price"} as chosen). A quote also
  lists the "shipping_rates" that would take the order to its address. A quote
  changes nothing: no stock is taken, nothing is told, and an order of the same
  body, placed while nothing else changed, has the same figures.

  Background:
    Given an admin "root" with the password "correct horse battery"
    And a customer "carol" with the password "correct horse battery"

  Scenario Outline: Worked examples: each figure can be checked with a calculator
    Given the shop's prices <prices>
    And the tax rates:
      | country | tax_class | rate       |
      | DE      | standard  | <tax rate> |
    And the zone "Germany" ships to "DE" at the rate "Parcel" for "<shipping>", free from "<free over>"
    And the product "Widget" priced "<unit>" with 100000 in stock
    When "carol" asks for a quote of <quantity> "Widget" shipped to "DE" by "Parcel"
    Then the response status is 200
    And the quote's figures are a subtotal of "<subtotal>", shipping of "<shipping total>", tax of "<tax>" and a total of "<total>"
    And its line is taxed "<line tax>"
    And an order of the same body has the same figures

    Examples:
      | what it shows                                | prices      | unit  | quantity | tax rate | shipping | free over | subtotal | line tax | shipping total | tax   | total |
      | tax added, on the line and on shipping       | exclude tax | 10.00 | 1        | 19.00    | 4.90     | never     | 10.00    | 1.90     | 4.90           | 2.83  | 17.73 |
      | tax included, on the line and on shipping    | include tax | 10.00 | 1        | 19.00    | 4.90     | never     | 10.00    | 1.60     | 4.90           | 2.38  | 14.90 |
      | half a cent rounds up                        | exclude tax | 0.50  | 1        | 1.00     | 0.00     | never     | 0.50     | 0.01     | 0.00           | 0.01  | 0.51  |
      | just under half a cent rounds down           | exclude tax | 0.49  | 1        | 1.00     | 0.00     | never     | 0.49     | 0.00     | 0.00           | 0.00  | 0.49  |
      | shipping's half cent rounds up too           | exclude tax | 1.00  | 1        | 1.00     | 0.50     | never     | 1.00     | 0.01     | 0.50           | 0.02  | 1.52  |
      | half a cent of tax within a price rounds up  | include tax | 0.03  | 1        | 100.00   | 0.00     | never     | 0.03     | 0.02     | 0.00           | 0.02  | 0.03  |
      | quantity 10 at 7.70%, tax added              | exclude tax | 4.99  | 10       | 7.70     | 4.90     | never     | 49.90    | 3.84     | 4.90           | 4.22  | 59.02 |
      | quantity 10 at 7.70%, tax included           | include tax | 4.99  | 10       | 7.70     | 4.90     | never     | 49.90    | 3.57     | 4.90           | 3.92  | 54.80 |
      | free shipping from exactly the amount        | exclude tax | 25.00 | 2        | 19.00    | 4.90     | 50.00     | 50.00    | 9.50     | 0.00           | 9.50  | 59.50 |
      | a cent short of free shipping                | exclude tax | 24.99 | 2        | 19.00    | 4.90     | 50.00     | 49.98    | 9.50     | 4.90           | 10.43 | 65.31 |
      | free shipping, tax included                  | include tax | 60.00 | 1        | 19.00    | 4.90     | 50.00     | 60.00    | 9.58     | 0.00           | 9.58  | 60.00 |
      | a rate of 0% taxes nothing                   | exclude tax | 10.00 | 1        | 0.00     | 4.90     | never     | 10.00    | 0.00     | 4.90           | 0.00  | 14.90 |
      | a rate of 0% taxes nothing, prices with tax  | include tax | 10.00 | 1        | 0.00     | 4.90     | never     | 10.00    | 0.00     | 4.90           | 0.00  | 14.90 |

  Scenario: Tax is rounded on each line, not on the order's sum
    Given the tax rates:
      | country | tax_class | rate |
      | DE      | standard  | 1.00 |
    And the zone "Germany" ships to "DE" at the rate "Pickup point" for "0.00", free from "never"
    And the products:
      | name  | price | stock |
      | Pen   | 0.50  | 10    |
      | Clip  | 0.50  | 10    |
      | Stamp | 0.50  | 10    |
    When "carol" asks for a quote of 1 "Pen", 1 "Clip" and 1 "Stamp" shipped to "DE" by "Pickup point"
    Then the quote's lines are:
      | name  | unit_price | quantity | subtotal | discount | tax_rate | tax  | line_total |
      | Pen   | 0.50       | 1        | 0.50     | 0.00     | 1.00     | 0.01 | 0.51       |
      | Clip  | 0.50       | 1        | 0.50     | 0.00     | 1.00     | 0.01 | 0.51       |
      | Stamp | 0.50       | 1        | 0.50     | 0.00     | 1.00     | 0.01 | 0.51       |
    And the quote's figures are a subtotal of "1.50", shipping of "0.00", tax of "0.03" and a total of "1.53"

  Scenario: Each line is taxed at the rate of its own tax class; shipping at the standard rate
    Given the tax rates:
      | country | tax_class | rate  |
      | DE      | standard  | 19.00 |
      | DE      | reduced   | 7.00  |
    And the zone "Germany" ships to "DE" at the rate "Parcel" for "5.00", free from "never"
    And the products:
      | name   | price | stock |
      | Kettle | 20.00 | 10    |
      | Book   | 10.00 | 10    |
    And the product "Book" is taxed as "reduced"
    When "carol" asks for a quote of 1 "Kettle" and 2 "Book" shipped to "DE" by "Parcel"
    Then the quote's lines are:
      | name   | unit_price | quantity | subtotal | discount | tax_rate | tax  | line_total |
      | Kettle | 20.00      | 1        | 20.00    | 0.00     | 19.00    | 3.80 | 23.80      |
      | Book   | 10.00      | 2        | 20.00    | 0.00     | 7.00     | 1.40 | 21.40      |
    And the quote's figures are a subtotal of "40.00", shipping of "5.00", tax of "6.15" and a total of "51.15"

  Scenario: A variant may have a tax class of its own
    Given the tax rates:
      | country | tax_class | rate  |
      | DE      | standard  | 19.00 |
      | DE      | zero      | 0.00  |
    And the product "Gift card" priced "25.00" with 10 in stock
    And the product "Gift card"'s variant is taxed as "zero"
    And the shop's country is "DE"
    When "carol" asks for a quote of 1 "Gift card"
    Then the quote's lines are:
      | name      | unit_price | quantity | subtotal | discount | tax_rate | tax  | line_total |
      | Gift card | 25.00      | 1        | 25.00    | 0.00     | 0.00     | 0.00 | 25.00      |

  Scenario: Without an address nothing ships, and the shop's own country taxes the order
    Given the tax rates:
      | country | tax_class | rate  |
      | DE      | standard  | 19.00 |
    And the shop's country is "DE"
    And the product "Widget" priced "10.00" with 10 in stock
    When "carol" asks for a quote of 2 "Widget"
    Then the quote's figures are a subtotal of "20.00", shipping of "0.00", tax of "3.80" and a total of "23.80"
    And the quote ships nowhere
    And an order of the same body has the same figures

  Scenario: A country with no tax rate for the class is not taxed
    Given the tax rates:
      | country | tax_class | rate  |
      | FR      | standard  | 20.00 |
      | DE      | reduced   | 7.00  |
    And the zone "Germany" ships to "DE" at the rate "Parcel" for "4.90", free from "never"
    And the product "Widget" priced "10.00" with 10 in stock
    When "carol" asks for a quote of 3 "Widget" shipped to "DE" by "Parcel"
    Then the quote's figures are a subtotal of "30.00", shipping of "4.90", tax of "0.00" and a total of "34.90"

  Scenario: Without an address and without SHOP_COUNTRY nothing is taxed
    Given the tax rates:
      | country | tax_class | rate  |
      | DE      | standard  | 19.00 |
    And the product "Widget" priced "10.00" with 10 in stock
    When "carol" asks for a quote of 2 "Widget"
    Then the quote's figures are a subtotal of "20.00", shipping of "0.00", tax of "0.00" and a total of "20.00"

  Scenario: The order keeps its own copy of the address and of the rate as chosen
    Given the zone "Germany" ships to "DE" at the rate "Parcel" for "4.90", free from "never"
    And the product "Widget" priced "10.00" with 10 in stock
    When "carol" orders 1 "Widget" shipped to "DE" by "Parcel"
    Then the response status is 201
    And the order ships to "Carol Example, Hauptstraße 1, 10115 Berlin, DE" by "Parcel" at "4.90"
    When "root" changes the rate "Parcel" to cost "9.90"
    And "carol" reads that order
    Then the order ships to "Carol Example, Hauptstraße 1, 10115 Berlin, DE" by "Parcel" at "4.90"
    And the order totals "14.90"

  Scenario: An address from the customer's book ships like one written out
    Given the zone "Germany" ships to "DE" at the rate "Parcel" for "4.90", free from "never"
    And the product "Widget" priced "10.00" with 10 in stock
    And "carol" keeps the address "Carol Example, Hauptstraße 1, 10115 Berlin, DE" in her address book
    When "carol" places an order with the body:
      """
      {"items": [{"product_id": {Widget}, "quantity": 1}], "shipping_address_id": {address}, "shipping_rate_id": {Parcel}}
      """
    Then the response status is 201
    And the order ships to "Carol Example, Hauptstraße 1, 10115 Berlin, DE" by "Parcel" at "4.90"

  Scenario: The quote lists the rates that would take the order to its address
    Given the zone "Germany" ships to "DE" at the rate "Parcel" for "4.90", free from "never"
    And the zone "Germany" also has the rate "Express" for "12.00"
    And the zone "Germany" also has the rate "Bulky freight" for "40.00", for subtotals from "200.00"
    And the zone "France" ships to "FR" at the rate "Colis" for "6.00", free from "never"
    And the product "Widget" priced "10.00" with 10 in stock
    When "carol" asks for a quote of 1 "Widget" shipped to "DE" by "Express"
    Then the quote offers the rates "Parcel" at "4.90" and "Express" at "12.00"
    And the quote's figures are a subtotal of "10.00", shipping of "12.00", tax of "0.00" and a total of "22.00"

  Scenario: A quote changes nothing
    Given the zone "Germany" ships to "DE" at the rate "Parcel" for "4.90", free from "never"
    And the product "Widget" priced "10.00" with 3 in stock
    When "carol" asks for a quote of 3 "Widget" shipped to "DE" by "Parcel"
    Then the response status is 200
    And the stock is 3 "Widget"
    And "carol" has no orders
    When "root" reads the event feed
    Then the feed has 0 "order.created" events

  Scenario: A quote prices what is short of stock; the order is refused
    Given the product "Widget" priced "10.00" with 1 in stock
    When "carol" asks for a quote of 5 "Widget"
    Then the response status is 200
    When "carol" orders 5 "Widget"
    Then the response status is 409

  Scenario Outline: Shipping that cannot be is 422 at its field, for an order and its quote alike: <case>
    Given the zone "Germany" ships to "DE" at the rate "Parcel" for "4.90", free from "never"
    And the zone "Germany" also has the rate "Bulky freight" for "40.00", for subtotals from "200.00"
    And the zone "France" ships to "FR" at the rate "Colis" for "6.00", free from "never"
    And the product "Widget" priced "10.00" with 10 in stock
    And "dave" is another customer with the address "Dave Other, Rue 2, 75001 Paris, FR" in his book
    When "carol" <asks> 1 "Widget" shipped to <to> by <by>
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc     | msg   |
      | <where> | <msg> |
    And the stock is 10 "Widget"

    Examples:
      | case                                   | asks                 | to                            | by                | where                                   | msg                                      |
      | an address and no rate                 | orders               | "DE"                          | no rate           | ["body", "shipping_rate_id"]            | Choose a shipping rate for DE            |
      | an address and no rate                 | asks for a quote of  | "DE"                          | no rate           | ["body", "shipping_rate_id"]            | Choose a shipping rate for DE            |
      | a rate of another zone                 | orders               | "DE"                          | "Colis"           | ["body", "shipping_rate_id"]            | No such shipping rate ships to DE        |
      | a rate that does not exist             | orders               | "DE"                          | the rate 999999   | ["body", "shipping_rate_id"]            | No such shipping rate ships to DE        |
      | a rate whose band the order is below   | orders               | "DE"                          | "Bulky freight"   | ["body", "shipping_rate_id"]            | serves orders of 200.00 or more          |
      | a rate whose band the order is below   | asks for a quote of  | "DE"                          | "Bulky freight"   | ["body", "shipping_rate_id"]            | serves orders of 200.00 or more          |
      | a country no zone holds                | orders               | "US"                          | "Parcel"          | ["body", "shipping_address", "country"] | The shop does not ship to US             |
      | a country no zone holds                | asks for a quote of  | "US"                          | "Parcel"          | ["body", "shipping_address", "country"] | The shop does not ship to US             |
      | a country that is not an ISO code      | orders               | "de"                          | "Parcel"          | ["body", "shipping_address", "country"] | upper case                               |
      | a rate and no address                  | orders               | no address                    | "Parcel"          | ["body", "shipping_rate_id"]            | Nothing ships without a shipping address |
      | another customer's address             | orders               | "Dave Other"                  | "Colis"           | ["body", "shipping_address_id"]         | No such address in your address book     |
      | an address written out and one by id   | orders               | "FR" and to "Dave Other"      | "Colis"           | ["body"]                                | not both                                 |

  Scenario: What is due is the order's total, shipping and tax included
    Given the tax rates:
      | country | tax_class | rate  |
      | DE      | standard  | 19.00 |
    And the zone "Germany" ships to "DE" at the rate "Parcel" for "4.90", free from "never"
    And the product "Widget" priced "10.00" with 10 in stock
    When "carol" orders 1 "Widget" shipped to "DE" by "Parcel"
    Then the order's figures are a subtotal of "10.00", shipping of "4.90", tax of "2.83" and a total of "17.73"
    When "root" records a payment of "10.00" with the reference "bank 1" for that order
    And "root" reads the payments of that order
    Then the ledger says paid "10.00", refunded "0.00", due "7.73", owed back "0.00"
    When "root" records a payment of "7.73" with the reference "bank 2" for that order
    Then that order is now paid

  Scenario: An admin's total overrides the total only, never the figures as priced
    Given the zone "Germany" ships to "DE" at the rate "Parcel" for "4.90", free from "never"
    And the product "Widget" priced "10.00" with 10 in stock
    When "carol" orders 1 "Widget" shipped to "DE" by "Parcel"
    And "root" changes that order with:
      """
      {"total_price": "12.00"}
      """
    Then the response status is 200
    And the order totals "12.00"
    And the order's figures are a subtotal of "10.00", shipping of "4.90", tax of "0.00" and a total of "12.00"

  Scenario: The feed tells the order with every figure
    Given the tax rates:
      | country | tax_class | rate  |
      | DE      | standard  | 19.00 |
    And the zone "Germany" ships to "DE" at the rate "Parcel" for "4.90", free from "never"
    And the product "Widget" priced "10.00" with 10 in stock
    When "carol" orders 1 "Widget" shipped to "DE" by "Parcel"
    Then the order's figures are a subtotal of "10.00", shipping of "4.90", tax of "2.83" and a total of "17.73"
    When "root" reads the event feed
    Then the "order.created" event's data is the answer that placed the order

  Scenario Outline: Who may ask for a quote
    Given the product "Widget" priced "10.00" with 10 in stock
    When <who> asks for a quote of 1 "Widget" for <whom>
    Then the response status is <status>

    Examples:
      | who                 | whom      | status |
      | "carol"             | herself   | 200    |
      | "carol"             | "root"    | 403    |
      | "root"              | "carol"   | 200    |
      | a client with no token | herself | 401   |

  Scenario Outline: Who the order is for is settled before where it goes: <case>
    Given the zone "Germany" ships to "DE" at the rate "Parcel" for "4.90", free from "never"
    And the product "Widget" priced "10.00" with 10 in stock
    When <who> <asks> 1 "Widget" for "<whom>" shipped to "US" by "Parcel"
    Then the response is a problem with status <status>
    And the problem says "<says>"

    Examples:
      | case                                       | who     | asks                | whom          | status | says                    |
      | a customer orders for someone else         | "carol" | orders              | root          | 403    | only order for themself |
      | a customer quotes for someone else         | "carol" | asks for a quote of | root          | 403    | only order for themself |
      | an admin orders for a user there is not    | "root"  | orders              | nobody-at-all | 422    | No such user            |
      | an admin quotes for a user there is not    | "root"  | asks for a quote of | nobody-at-all | 422    | No such user            |

  Scenario: A quote for a user that does not exist is refused at user_id, as the order would be
    Given the product "Widget" priced "10.00" with 10 in stock
    When "root" asks for a quote of 1 "Widget" for "nobody-at-all"
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                  | msg          |
      | ["body", "user_id"]  | No such user |
