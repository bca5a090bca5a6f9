@discounts
Feature: Discount codes
  An admin makes discount codes that customers give at checkout: 12.5% off,
  5.00 off, or free shipping; from a moment, until a moment, for so many
  orders in all or per customer, above a subtotal, on some products or
  categories only.

  A discount is {"id", "code", "kind", "value", "starts_at", "ends_at",
  "usage_limit", "per_customer_limit", "min_subtotal", "product_ids",
  "category_ids", "active", "times_used", "created_at", "updated_at"}:

  - `code`: 3 to 40 of A-Z, a-z, 0-9, "-" and "_", kept as given and unique
    ignoring case ("summer25" is taken once "SUMMER25" exists).
  - `kind`: "percentage", "fixed" (an amount off) or "free_shipping"; it
    never changes.
  - `value`: a percentage from 0.01 to 100 ("12.50") or an amount of money
    above 0 ("5.00"), with at most two decimals; required for those two
    kinds, left out for free shipping (shown as null).
  - `starts_at`, `ends_at`: RFC 3339 timestamps with their offset, kept in
    UTC to the second; null: from now on, and for ever. A code may already
    have ended (it is expired), but it never ends before it starts.
  - `usage_limit`, `per_customer_limit`: how many orders may use it, in all
    and per customer, from 1 to 1,000,000,000; null: no limit.
  - `min_subtotal`: money; only orders of at least this subtotal; null: any.
  - `product_ids`, `category_ids`: up to 100 different ids each, of products
    and categories that exist, shown smallest first; only their lines are
    discounted, and every line when both are empty.
  - `active`: true unless said; `times_used`: the orders that hold a use.

  A discount that orders have used is never removed: deleting it
  deactivates it, and it stays readable. Discounts are the admins' business
  alone (who may call each endpoint: the matrix of features/access.feature).
  Endpoints: POST and GET /discounts (`?code=`, ignoring case;
  `?active=true|false`); GET, PATCH and DELETE /discounts/{id}. In these
  scenarios {SUMMER25} in a path or a body stands for that discount's id,
  {Mug} for the product's, {Teaware} for the category's.

  Background:
    Given an admin "root" with the password "correct horse battery"
    And a customer "ada" with the password "correct horse battery"
    And "root" has logged in
    And the product "Mug" priced "4.50" with 10 in stock
    And the product "Kettle" priced "30.00" with 5 in stock
    And the categories:
      | name    | parent  |
      | Kitchen |         |
      | Teaware | Kitchen |

  Scenario: An admin makes a code; it is active, unused and without limits unless said
    When "root" sends POST "/discounts" with:
      """
      {"code": "Summer25", "kind": "percentage", "value": "12.5"}
      """
    Then the response status is 201
    And the response header "Location" is the address of the new item under "/discounts"
    And the response is the discount:
      | code               | "Summer25"   |
      | kind               | "percentage" |
      | value              | "12.50"      |
      | starts_at          | null         |
      | ends_at            | null         |
      | usage_limit        | null         |
      | per_customer_limit | null         |
      | min_subtotal       | null         |
      | product_ids        | []           |
      | category_ids       | []           |
      | active             | true         |
      | times_used         | 0            |

  Scenario: Every field of a code is kept as given; ids are shown smallest first
    When "root" sends POST "/discounts" with:
      """
      {"code": "TEA_5", "kind": "fixed", "value": 5, "starts_at": "2026-12-01T08:00:00+01:00",
       "ends_at": "2026-12-31T23:59:59Z", "usage_limit": 100, "per_customer_limit": 1, "min_subtotal": "25",
       "product_ids": [{Kettle}, {Mug}], "category_ids": [{Teaware}, {Kitchen}], "active": false}
      """
    Then the response status is 201
    And the response is the discount:
      | code               | "TEA_5"                  |
      | kind               | "fixed"                  |
      | value              | "5.00"                   |
      | starts_at          | "2026-12-01T07:00:00Z"   |
      | ends_at            | "2026-12-31T23:59:59Z"   |
      | usage_limit        | 100                      |
      | per_customer_limit | 1                        |
      | min_subtotal       | "25.00"                  |
      | product_ids        | [{Mug}, {Kettle}]        |
      | category_ids       | [{Kitchen}, {Teaware}]   |
      | active             | false                    |
    When "root" sends GET "/discounts/{TEA_5}"
    Then the response's "starts_at" is "2026-12-01T07:00:00Z"

  Scenario Outline: What a <kind> code's value is: <value> is shown as <shown>
    When "root" sends POST "/discounts" with:
      """
      <body>
      """
    Then the response status is 201
    And the response is the discount:
      | kind  | "<kind>" |
      | value | <shown>  |

    Examples:
      | kind          | value      | body                                                        | shown    |
      | percentage    | "0.01"     | {"code": "TINY", "kind": "percentage", "value": "0.01"}     | "0.01"   |
      | percentage    | 12.5       | {"code": "HALF", "kind": "percentage", "value": 12.5}       | "12.50"  |
      | percentage    | "100"      | {"code": "FREE", "kind": "percentage", "value": "100"}      | "100.00" |
      | fixed         | "5"        | {"code": "FIVE", "kind": "fixed", "value": "5"}             | "5.00"   |
      | fixed         | 0.01       | {"code": "CENT", "kind": "fixed", "value": 0.01}            | "0.01"   |
      | fixed         | 19.99      | {"code": "BIG", "kind": "fixed", "value": 19.99}            | "19.99"  |
      | free_shipping | left out   | {"code": "SHIPFREE", "kind": "free_shipping"}               | null     |

  Scenario Outline: A value must fit its kind: <case>
    When "root" sends POST "/discounts" with:
      """
      <body>
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc               | msg   |
      | ["body", "value"] | <msg> |

    Examples:
      | case                             | body                                                             | msg                    |
      | a percentage without one         | {"code": "OFF", "kind": "percentage"}                            | required               |
      | a percentage of null             | {"code": "OFF", "kind": "percentage", "value": null}             | must not be null       |
      | a percentage of 0                | {"code": "OFF", "kind": "percentage", "value": 0}                | from 0.01 to 100       |
      | a percentage above 100           | {"code": "OFF", "kind": "percentage", "value": "100.01"}         | from 0 to 100          |
      | a percentage finer than 0.01     | {"code": "OFF", "kind": "percentage", "value": 7.777}            | at most two decimal    |
      | a negative percentage            | {"code": "OFF", "kind": "percentage", "value": -5}               | from 0 to 100          |
      | an amount without one            | {"code": "OFF", "kind": "fixed"}                                 | required               |
      | an amount of 0                   | {"code": "OFF", "kind": "fixed", "value": "0.00"}                | more than 0            |
      | a negative amount                | {"code": "OFF", "kind": "fixed", "value": "-5"}                  | from 0 to 99999999.99  |
      | an amount finer than a cent      | {"code": "OFF", "kind": "fixed", "value": "4.999"}               | at most two decimal    |
      | an amount that is not a number   | {"code": "OFF", "kind": "fixed", "value": "five"}                | decimal string         |
      | free shipping with a value       | {"code": "OFF", "kind": "free_shipping", "value": "5"}           | must be left out       |
      | free shipping with a null value  | {"code": "OFF", "kind": "free_shipping", "value": null}          | must be left out       |

  Scenario Outline: A code is 3 to 40 of A-Z, a-z, 0-9, "-" and "_": <code> is <verdict>
    When "root" sends POST "/discounts" with:
      """
      {"code": "<code>", "kind": "free_shipping"}
      """
    Then the response status is <status>

    Examples:
      | code       | verdict  | status |
      | A-1        | taken    | 201    |
      | spring_26  | taken    | 201    |
      | AB         | refused  | 422    |
      | SUMMER 25  | refused  | 422    |
      | SUMMER!    | refused  | 422    |
      | ÉTÉ25      | refused  | 422    |

  Scenario: A code is at most 40 characters
    When "root" adds a free-shipping discount with a code of 40 "Z" characters
    Then the response status is 201
    When "root" adds a free-shipping discount with a code of 41 "Y" characters
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc              | msg          |
      | ["body", "code"] | at most 40   |

  Scenario: A code is unique ignoring case, and kept as it was given
    Given the discounts:
      | code     | kind       | value |
      | SUMMER25 | percentage | 25    |
      | WINTER   | fixed      | 10    |
    When "root" sends POST "/discounts" with:
      """
      {"code": "summer25", "kind": "fixed", "value": "3"}
      """
    Then the response is a problem with status 409
    And the problem says "taken"
    When "root" sends PATCH "/discounts/{WINTER}" with:
      """
      {"code": "Summer25"}
      """
    Then the response is a problem with status 409
    When "root" sends PATCH "/discounts/{SUMMER25}" with:
      """
      {"code": "Summer25"}
      """
    Then the response status is 200
    And the response is the discount:
      | code | "Summer25" |

  Scenario Outline: When a code starts and ends is checked: <case>
    When "root" sends POST "/discounts" with:
      """
      {"code": "TIMED", "kind": "free_shipping", <times>}
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc   | msg   |
      | <loc> | <msg> |

    Examples:
      | case                      | times                                                                   | loc                   | msg                  |
      | an end before the start   | "starts_at": "2026-12-10T00:00:00Z", "ends_at": "2026-12-01T00:00:00Z"  | ["body", "ends_at"]   | must be after        |
      | an end at the start       | "starts_at": "2026-12-10T01:00:00+01:00", "ends_at": "2026-12-10T00:00:00Z" | ["body", "ends_at"] | must be after      |
      | no offset from UTC        | "starts_at": "2026-12-10T00:00:00"                                      | ["body", "starts_at"] | offset from UTC      |
      | only a date               | "ends_at": "2026-12-10"                                                 | ["body", "ends_at"]   | RFC 3339             |
      | a day that does not exist | "ends_at": "2026-02-30T00:00:00Z"                                       | ["body", "ends_at"]   | does not exist       |
      | a number                  | "starts_at": 1796083200                                                 | ["body", "starts_at"] | RFC 3339             |

  Scenario: A code may already have ended: it is kept, expired
    When "root" sends POST "/discounts" with:
      """
      {"code": "LASTYEAR", "kind": "fixed", "value": "5", "ends_at": "2025-12-31T23:59:59Z"}
      """
    Then the response status is 201
    And the response is the discount:
      | ends_at | "2025-12-31T23:59:59Z" |
      | active  | true                   |

  Scenario Outline: Each other field of a new code is checked: <field>
    When "root" sends POST "/discounts" with:
      """
      {"code": "CHECKED", "kind": "fixed", "value": "5", <field>}
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc   | msg   |
      | <loc> | <msg> |

    Examples:
      | field                                  | loc                                 | msg                    |
      | "usage_limit": 0                       | ["body", "usage_limit"]             | greater than or equal  |
      | "usage_limit": 1000000001              | ["body", "usage_limit"]             | less than or equal     |
      | "usage_limit": "5"                     | ["body", "usage_limit"]             | valid integer          |
      | "per_customer_limit": 0                | ["body", "per_customer_limit"]      | greater than or equal  |
      | "per_customer_limit": 2.5              | ["body", "per_customer_limit"]      | valid integer          |
      | "min_subtotal": "-1"                   | ["body", "min_subtotal"]            | from 0 to 99999999.99  |
      | "product_ids": [{Mug}, {Mug}]          | ["body", "product_ids"]             | more than once         |
      | "product_ids": [0]                     | ["body", "product_ids", 0]          | greater than or equal  |
      | "product_ids": [{Mug}, 999999]         | ["body", "product_ids", 1]          | No such product        |
      | "category_ids": [999999, {Teaware}]    | ["body", "category_ids", 0]         | No such category       |
      | "category_ids": "{Teaware}"            | ["body", "category_ids"]            | valid list             |
      | "active": "yes"                        | ["body", "active"]                  | valid boolean          |
      | "code_key": "checked"                  | ["body", "code_key"]                | not permitted          |

  Scenario: A code names at most 100 products and 100 categories
    When "root" adds a discount for 101 products
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                     | msg        |
      | ["body", "product_ids"] | at most 100 |

  Scenario: Discounts are listed by id; ?code= finds one ignoring case, ?active= those that are or are not
    Given the discounts:
      | code     | kind          | value | active |
      | SUMMER25 | percentage    | 25    | true   |
      | WINTER   | fixed         | 10    | false  |
      | SHIPFREE | free_shipping |       | true   |
    When "root" sends GET "/discounts"
    Then the listed discount codes are "SUMMER25", "WINTER" and "SHIPFREE"
    And the page says page 1 of 20 per page with 3 in total
    When "root" sends GET "/discounts?code=summer25"
    Then the listed discount codes are "SUMMER25"
    When "root" sends GET "/discounts?code=SUMMER"
    Then the listed discount codes are nothing
    When "root" sends GET "/discounts?active=true"
    Then the listed discount codes are "SUMMER25" and "SHIPFREE"
    When "root" sends GET "/discounts?active=false"
    Then the listed discount codes are "WINTER"
    When "root" sends GET "/discounts?per_page=2"
    Then the listed discount codes are "SUMMER25" and "WINTER"
    And the page says page 1 of 2 per page with 3 in total
    And the Link header has first, next, last
    When the client follows next_cursor from GET "/discounts?per_page=2"
    Then the discount codes seen are "SUMMER25", "WINTER" and "SHIPFREE"
    When "root" sends GET "/discounts?active=maybe"
    Then the response is a problem with status 422

  Scenario: An admin reads and changes a code; a field left out is kept, one set to null is removed
    Given the discounts:
      | code     | kind       | value | usage_limit | min_subtotal | ends_at              | product_ids |
      | SUMMER25 | percentage | 25    | 100         | 50           | 2026-12-31T00:00:00Z | [{Mug}]     |
    And 5 minutes pass
    When "root" sends GET "/discounts/{SUMMER25}"
    Then the response is the discount:
      | value       | "25.00" |
      | usage_limit | 100     |
    When "root" sends PATCH "/discounts/{SUMMER25}" with:
      """
      {"value": "30", "usage_limit": null, "min_subtotal": null, "ends_at": null, "product_ids": [], "category_ids": [{Teaware}]}
      """
    Then the response status is 200
    And the response is the discount:
      | code         | "SUMMER25"   |
      | kind         | "percentage" |
      | value        | "30.00"      |
      | usage_limit  | null         |
      | min_subtotal | null         |
      | ends_at      | null         |
      | product_ids  | []           |
      | category_ids | [{Teaware}]  |
    And the response's "updated_at" is "2026-11-24T10:20:00Z"

  Scenario Outline: A change is checked as a new code is, against the code as it would become: <change>
    Given the discounts:
      | code     | kind          | value | starts_at            | ends_at              |
      | SUMMER25 | percentage    | 25    | 2026-06-01T00:00:00Z | 2026-09-01T00:00:00Z |
      | SHIPFREE | free_shipping |       |                      |                      |
    When "root" sends PATCH "<path>" with:
      """
      <body>
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc   | msg   |
      | <loc> | <msg> |

    Examples:
      | change                              | path                  | body                                     | loc                        | msg              |
      | nothing to do                       | /discounts/{SUMMER25} | {}                                       | ["body"]                   | at least one     |
      | a new kind                          | /discounts/{SUMMER25} | {"kind": "fixed"}                        | ["body", "kind"]           | not permitted    |
      | a value for free shipping           | /discounts/{SHIPFREE} | {"value": "5"}                           | ["body", "value"]          | must be left out |
      | a percentage's value removed        | /discounts/{SUMMER25} | {"value": null}                          | ["body", "value"]          | must not be null |
      | a percentage above 100              | /discounts/{SUMMER25} | {"value": "150"}                         | ["body", "value"]          | from 0 to 100    |
      | a start after the kept end          | /discounts/{SUMMER25} | {"starts_at": "2026-10-01T00:00:00Z"}    | ["body", "ends_at"]        | must be after    |
      | an end before the kept start        | /discounts/{SUMMER25} | {"ends_at": "2026-05-01T00:00:00Z"}      | ["body", "ends_at"]        | must be after    |
      | a null code                         | /discounts/{SUMMER25} | {"code": null}                           | ["body", "code"]           | must not be null |
      | a null active                       | /discounts/{SUMMER25} | {"active": null}                         | ["body", "active"]         | must not be null |
      | null products                       | /discounts/{SUMMER25} | {"product_ids": null}                    | ["body", "product_ids"]    | must not be null |
      | a category that does not exist      | /discounts/{SUMMER25} | {"category_ids": [{Kitchen}, 999999]}    | ["body", "category_ids", 1] | No such category |
      | an unknown field                    | /discounts/{SUMMER25} | {"percent": 10}                          | ["body", "percent"]        | not permitted    |

  Scenario: A usage limit is not set below the uses that orders hold
    Given the discounts:
      | code    | kind  | value |
      | WELCOME | fixed | 5     |
    And "ada" has ordered 1 "Mug" with the code "WELCOME"
    And "ada" has ordered 1 "Kettle" with the code "WELCOME"
    When "root" sends PATCH "/discounts/{WELCOME}" with:
      """
      {"usage_limit": 1}
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                     | msg          |
      | ["body", "usage_limit"] | must not be below |
    When "root" sends PATCH "/discounts/{WELCOME}" with:
      """
      {"usage_limit": 2}
      """
    Then the response is the discount:
      | usage_limit | 2 |
      | times_used  | 2 |

  Scenario: A code no order has used is removed when deleted
    Given the discounts:
      | code     | kind       | value |
      | SUMMER25 | percentage | 25    |
    When "root" sends DELETE "/discounts/{SUMMER25}"
    Then the response status is 204
    When "root" sends GET "/discounts/{SUMMER25}"
    Then the response is a problem with status 404
    When "root" sends DELETE "/discounts/{SUMMER25}"
    Then the response is a problem with status 404

  Scenario: A code that orders have used is deactivated instead, and stays readable
    Given the discounts:
      | code    | kind  | value |
      | WELCOME | fixed | 5     |
    And "ada" has ordered 1 "Mug" with the code "WELCOME"
    When "root" sends DELETE "/discounts/{WELCOME}"
    Then the response status is 204
    When "root" sends GET "/discounts/{WELCOME}"
    Then the response is the discount:
      | code       | "WELCOME" |
      | active     | false     |
      | times_used | 1         |
    When "root" sends GET "/discounts?active=false"
    Then the listed discount codes are "WELCOME"

  Scenario Outline: A path that names no discount is 404: <method> <path>
    When "root" sends <method> "<path>"
    Then the response is a problem with status 404

    Examples:
      | method | path                       |
      | GET    | /discounts/0               |
      | GET    | /discounts/999999          |
      | GET    | /discounts/SUMMER25        |
      | DELETE | /discounts/999999          |
      | PATCH  | /discounts/-1              |

  # -- Codes at checkout ---------------------------------------------------------------

  Scenario Outline: Worked splits: <what>
    Given the products:
      | name | price | stock |
      | Pen  | 1.00  | 100   |
      | Cup  | 1.00  | 100   |
      | Tea  | 1.00  | 100   |
      | Jam  | 2.00  | 100   |
      | Bowl | 3.00  | 100   |
    And the discount code "SPLIT" with <terms>
    When "ada" asks for a quote of <cart> with the code "SPLIT"
    Then the response status is 200
    And the quote's line discounts are <discounts>, and its discount is "<total>"

    Examples:
      | what                                           | terms                                                   | cart                                | discounts                  | total |
      | a percentage, in proportion                    | {"kind": "percentage", "value": "10"}                   | 1 "Tea", 1 "Jam" and 1 "Bowl"        | "0.10", "0.20" and "0.30"  | 0.60  |
      | the cent left over goes to the largest remainder | {"kind": "fixed", "value": "1.00"}                    | 1 "Tea", 1 "Jam" and 1 "Bowl"        | "0.17", "0.33" and "0.50"  | 1.00  |
      | a tie goes to the earlier line                 | {"kind": "fixed", "value": "0.01"}                      | 1 "Pen", 1 "Cup" and 1 "Tea"        | "0.01", "0.00" and "0.00"  | 0.01  |
      | two cents, to the first two of a tie           | {"kind": "fixed", "value": "0.02"}                      | 1 "Pen", 1 "Cup" and 1 "Tea"        | "0.01", "0.01" and "0.00"  | 0.02  |
      | 12.5% of 3.00 is 0.375: half up to 0.38        | {"kind": "percentage", "value": "12.5"}                 | 1 "Pen", 1 "Cup" and 1 "Tea"        | "0.13", "0.13" and "0.12"  | 0.38  |
      | a fixed amount above the subtotal: all of it   | {"kind": "fixed", "value": "50.00"}                     | 1 "Tea", 1 "Jam" and 1 "Bowl"        | "1.00", "2.00" and "3.00"  | 6.00  |
      | only the lines of the products it names        | {"kind": "percentage", "value": "50", "product_ids": [{Jam}]} | 1 "Tea", 1 "Jam" and 1 "Bowl"  | "0.00", "1.00" and "0.00"  | 1.00  |
      | a fixed amount over the eligible lines only    | {"kind": "fixed", "value": "1.00", "product_ids": [{Tea}, {Bowl}]} | 1 "Tea", 1 "Jam" and 1 "Bowl" | "0.25", "0.00" and "0.75" | 1.00 |
      | a percentage of the eligible lines, not of all | {"kind": "percentage", "value": "10", "product_ids": [{Bowl}]} | 10 "Tea" and 1 "Bowl"          | "0.00" and "0.30"          | 0.30  |

  Scenario: Tax is charged on what is left after the discount
    Given the tax rates:
      | country | tax_class | rate  |
      | DE      | standard  | 19.00 |
    And the zone "Germany" ships to "DE" at the rate "Parcel" for "4.90", free from "never"
    And the product "Teapot" priced "10.00" with 10 in stock
    And the discount code "TENOFF" with {"kind": "percentage", "value": "10"}
    When "ada" asks for a quote of 1 "Teapot" shipped to "DE" by "Parcel" with the code "TENOFF"
    Then the quote's lines are:
      | name   | unit_price | quantity | subtotal | discount | tax_rate | tax  | line_total |
      | Teapot | 10.00      | 1        | 10.00    | 1.00     | 19.00    | 1.71 | 10.71      |
    And the quote's figures are a subtotal of "10.00", shipping of "4.90", tax of "2.64" and a total of "16.54"
    And an order of the same body has the same figures

  Scenario: A free-shipping code makes shipping cost nothing, and counts as a use
    Given the zone "Germany" ships to "DE" at the rate "Parcel" for "4.90", free from "never"
    And the product "Teapot" priced "10.00" with 10 in stock
    And the discount code "SHIPFREE" with {"kind": "free_shipping"}
    When "ada" orders 1 "Teapot" shipped to "DE" by "Parcel" with the code "SHIPFREE"
    Then the response status is 201
    And the order's figures are a subtotal of "10.00", shipping of "0.00", tax of "0.00" and a total of "10.00"
    And the discount code "SHIPFREE" has been used 1 time

  Scenario: A code worth nothing to the order takes no use of it
    Given the products:
      | name | price | stock |
      | Tea  | 1.00  | 100   |
      | Jam  | 2.00  | 100   |
    And the discount code "JAMONLY" with {"kind": "percentage", "value": "10", "product_ids": [{Jam}], "usage_limit": 1}
    And the discount code "SHIPFREE" with {"kind": "free_shipping", "usage_limit": 1}
    When "ada" orders 2 "Tea" with the code "JAMONLY"
    Then the response status is 201
    And the order's figures are a subtotal of "2.00", shipping of "0.00", tax of "0.00" and a total of "2.00"
    When "ada" orders 2 "Tea" with the code "SHIPFREE"
    Then the response status is 201
    And the discount code "JAMONLY" has been used 0 times
    And the discount code "SHIPFREE" has been used 0 times

  Scenario: An order the code makes free is paid when it is placed
    Given the product "Sample" priced "3.00" with 10 in stock
    And the discount code "GIFT" with {"kind": "fixed", "value": "5.00"}
    When "ada" orders 1 "Sample" with the code "GIFT"
    Then the response status is 201
    And the order's figures are a subtotal of "3.00", shipping of "0.00", tax of "0.00" and a total of "0.00"
    And that order is now paid

  Scenario: A code used as often as it may be is refused, and its use comes back when an order is cancelled
    Given the product "Teapot" priced "10.00" with 10 in stock
    And the discount code "ONCE" with {"kind": "fixed", "value": "1.00", "usage_limit": 1}
    And "bob" is a customer too
    When "ada" orders 1 "Teapot" with the code "ONCE"
    Then the response status is 201
    When "bob" orders 1 "Teapot" with the code "ONCE"
    Then the response is a problem with status 409
    And the problem's type is "urn:shop:problem:discount-used-up"
    And the stock is 9 "Teapot"
    When "ada" sets that order's status to "cancelled"
    Then the discount code "ONCE" has been used 0 times
    When "bob" orders 1 "Teapot" with the code "ONCE"
    Then the response status is 201
    And the discount code "ONCE" has been used 1 time

  Scenario: A customer's own limit is theirs alone
    Given the product "Teapot" priced "10.00" with 10 in stock
    And the discount code "WELCOME" with {"kind": "percentage", "value": "10", "per_customer_limit": 1}
    And "bob" is a customer too
    When "ada" orders 1 "Teapot" with the code "WELCOME"
    Then the response status is 201
    When "ada" asks for a quote of 1 "Teapot" with the code "WELCOME"
    Then the response is a problem with status 409
    And the problem's type is "urn:shop:problem:discount-used-up-by-customer"
    When "ada" orders 1 "Teapot" with the code "WELCOME"
    Then the response is a problem with status 409
    And the problem's type is "urn:shop:problem:discount-used-up-by-customer"
    When "bob" orders 1 "Teapot" with the code "welcome"
    Then the response status is 201
    And the discount code "WELCOME" has been used 2 times

  Scenario Outline: A code that cannot be used now is 409, saying why, and nothing changes: <why>
    Given the product "Teapot" priced "10.00" with 10 in stock
    And the discount code "NOPE" with <terms>
    When "ada" <asks> 1 "Teapot" with the code "NOPE"
    Then the response is a problem with status 409
    And the problem's type is "urn:shop:problem:<type>"
    And the stock is 10 "Teapot"
    And the discount code "NOPE" has been used 0 times

    Examples:
      | why                       | terms                                                                        | asks                | type                     |
      | inactive                  | {"kind": "percentage", "value": "10", "active": false}                       | orders              | discount-inactive        |
      | not yet valid             | {"kind": "percentage", "value": "10", "starts_at": "2099-01-01T00:00:00Z"}   | orders              | discount-not-started     |
      | no longer valid           | {"kind": "percentage", "value": "10", "ends_at": "2020-01-01T00:00:00Z"}     | orders              | discount-expired         |
      | the minimum is not met    | {"kind": "percentage", "value": "10", "min_subtotal": "10.01"}               | orders              | discount-minimum-not-met |
      | a quote: inactive         | {"kind": "percentage", "value": "10", "active": false}                       | asks for a quote of | discount-inactive        |
      | a quote: no longer valid  | {"kind": "percentage", "value": "10", "ends_at": "2020-01-01T00:00:00Z"}     | asks for a quote of | discount-expired         |
      | a quote: the minimum      | {"kind": "percentage", "value": "10", "min_subtotal": "10.01"}               | asks for a quote of | discount-minimum-not-met |

  Scenario: An unknown code is 422 at discount_code
    Given the product "Teapot" priced "10.00" with 10 in stock
    When "ada" orders 1 "Teapot" with the code "NO-SUCH-CODE"
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                        | msg                    |
      | ["body", "discount_code"]  | No such discount code  |

  Scenario: The split is kept on the order: a change of the code later changes no placed order
    Given the products:
      | name | price | stock |
      | Tea  | 1.00  | 100   |
      | Jam  | 2.00  | 100   |
    And the discount code "SPLIT" with {"kind": "fixed", "value": "1.00"}
    When "ada" orders 1 "Tea" and 1 "Jam" with the code "SPLIT"
    Then the order's line discounts are "0.33" and "0.67", and its discount is "1.00"
    When "root" changes the discount code "SPLIT" to {"value": "2.50"}
    And "ada" reads that order
    Then the order's line discounts are "0.33" and "0.67", and its discount is "1.00"

  Scenario: A code for a category is for the products of the categories below it too
    Given the product "Cosy" priced "8.00" in the category "Teaware"
    And the product "Apron" priced "12.00" in the category "Kitchen"
    And the product "Plain mug" priced "4.00" with 10 in stock
    And the discount code "KITCHEN" with {"kind": "percentage", "value": "25", "category_ids": [{Kitchen}]}
    When "ada" asks for a quote of 1 "Cosy", 1 "Apron" and 1 "Plain mug" with the code "KITCHEN"
    Then the quote's line discounts are "2.00", "3.00" and "0.00", and its discount is "5.00"
