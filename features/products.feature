Feature: The catalogue
  A product is {"id", "name", "slug", "description", "price", "currency",
  "stock", "options", "variants", "category_ids", "images", "created_at",
  "updated_at"}. This feature shows products without options, which have
  exactly one variant that carries their price and stock (variants.feature
  shows the rest: options, variants, SKUs, slugs, images, stock movements;
  categories.feature the categories). Money is exact: a price is given as a string or
  a JSON number with at most two fraction digits, from 0 to 99999999.99, and
  always shown as a string with exactly two ("19.99"), in the shop's one
  CURRENCY. Names are 1 to 200 characters and unique ignoring case. Everyone
  with a token browses the catalogue (and with PUBLIC_CATALOGUE=true, for a
  storefront, everyone without one too); only admins change it. Lists count their
  total for each page, reusing a count for up to a second: a change made
  through the same server process shows at once, one made through another
  worker process within a second.

  Endpoints: POST /products, GET /products, GET /products/{id},
  PATCH /products/{id}, DELETE /products/{id}.

  Background:
    Given an admin "root" with the password "correct horse battery"
    And a customer "ada" with the password "correct horse battery"

  # -- Creating ---------------------------------------------------------------

  Scenario: An admin adds a product
    Given "root" has logged in
    When a client sends POST "/products" with the JSON body:
      """
      {"name": "Teapot", "description": "Short and stout.", "price": "19.99", "stock": 12}
      """
    Then the response status is 201
    And the response is the product "Teapot" priced "19.99" USD with 12 in stock
    And the response header "Location" is the new product's address

  Scenario Outline: A price may be a string or a JSON number, and is shown with two decimals
    Given "root" has logged in
    When "root" adds a product "Mug" priced <price>
    Then the response status is 201
    And the response is the product "Mug" priced "<shown>" USD with 1 in stock

    Examples:
      | price         | shown       |
      | "5"           | 5.00        |
      | 5             | 5.00        |
      | "5.5"         | 5.50        |
      | 5.5           | 5.50        |
      | 19.99         | 19.99       |
      | "0"           | 0.00        |
      | 0             | 0.00        |
      | "99999999.99" | 99999999.99 |
      | 1e2           | 100.00      |

  Scenario Outline: A price that is not exact money is refused
    Given "root" has logged in
    When "root" adds a product "Mug" priced <price>
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc               | msg   |
      | ["body", "price"] | <msg> |
    And the catalogue holds no product "Mug"

    Examples:
      | price          | msg                 |
      | "19.999"       | two decimal places  |
      | 19.999         | two decimal places  |
      | "-1"           | 0 to 99999999.99    |
      | -1             | 0 to 99999999.99    |
      | "100000000"    | 0 to 99999999.99    |
      | 100000000.00   | 0 to 99999999.99    |
      | 1e400          | 0 to 99999999.99    |
      | 1e-5           | two decimal places  |
      | "1e2"          | decimal string      |
      | "abc"          | decimal string      |
      | " 5"           | decimal string      |
      | "５"           | decimal string      |
      | "NaN"          | decimal string      |
      | "Infinity"     | decimal string      |
      | ""             | decimal string      |
      | true           | decimal string      |
      | null           | must not be null    |
      | [5]            | decimal string      |

  Scenario Outline: Each field of a new product is checked
    Given "root" has logged in
    When a client sends POST "/products" with the JSON body:
      """
      <body>
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc   | msg   |
      | <loc> | <msg> |

    Examples:
      | body                                                              | loc                     | msg             |
      | {"name": "", "price": "1.00", "stock": 1}                         | ["body", "name"]        | at least 1      |
      | {"name": "   ", "price": "1.00", "stock": 1}                      | ["body", "name"]        | blank           |
      | {"price": "1.00", "stock": 1}                                     | ["body", "name"]        | required        |
      | {"name": "Mug", "stock": 1}                                       | ["body", "price"]       | required        |
      | {"name": "Mug", "price": "1.00"}                                  | ["body", "stock"]       | required        |
      | {"name": "Mug", "price": "1.00", "stock": -1}                     | ["body", "stock"]       | greater than or equal to 0 |
      | {"name": "Mug", "price": "1.00", "stock": 1000000001}             | ["body", "stock"]       | less than or equal to 1000000000 |
      | {"name": "Mug", "price": "1.00", "stock": 1.5}                    | ["body", "stock"]       | valid integer   |
      | {"name": "Mug", "price": "1.00", "stock": "7"}                    | ["body", "stock"]       | valid integer   |
      | {"name": "Mug", "price": "1.00", "stock": true}                   | ["body", "stock"]       | valid integer   |
      | {"name": "Mug", "price": "1.00", "stock": 1, "colour": "red"}     | ["body", "colour"]      | not permitted   |
      | {"name": "Mug", "price": "1.00", "stock": 1, "description": 5}    | ["body", "description"] | valid string    |

  Scenario: Names and descriptions are measured in characters, not bytes
    Given "root" has logged in
    When "root" adds a product named with 200 "é" characters and a description of 5000 "é" characters
    Then the response status is 201
    When "root" adds a product named with 201 "é" characters and a description of 1 "é" characters
    Then the response is a problem with status 422
    When "root" adds a product named with 5 "x" characters and a description of 5001 "é" characters
    Then the response is a problem with status 422

  Scenario Outline: A product name that exists, ignoring case, is 409
    Given the product "Teapot" priced "19.99" with 12 in stock
    And "root" has logged in
    When "root" adds a product "<name>" priced "1.00"
    Then the response is a problem with status 409
    And the problem says "already exists"

    Examples:
      | name   |
      | Teapot |
      | TEAPOT |
      | teapot |

  # -- Reading ----------------------------------------------------------------

  Scenario: Anyone with a token reads a product, with an ETag
    Given the product "Teapot" priced "19.99" with 12 in stock
    And "ada" has logged in
    When "ada" asks for the product "Teapot"
    Then the response status is 200
    And the response is the product "Teapot" priced "19.99" USD with 12 in stock
    And the response has an ETag

  Scenario: An unknown product is 404
    Given "ada" has logged in
    When a client sends GET "/products/424242"
    Then the response is a problem with status 404

  # -- Listing ----------------------------------------------------------------

  Scenario: The catalogue is listed by id, a page at a time, with links that keep the query
    Given 25 products "P01" to "P25"
    And "ada" has logged in
    When a client sends GET "/products?per_page=10&page=2&sort=id"
    Then the response status is 200
    And the listed products are "P11" to "P20"
    And the page says page 2 of 10 per page with 25 in total
    And the response header "X-Total-Count" is "25"
    And the Link header has first, prev, next and last
    And every Link keeps "per_page=10" and "sort=id"

  Scenario: The first page has no prev link and the last no next link
    Given 25 products "P01" to "P25"
    And "ada" has logged in
    When a client sends GET "/products?per_page=10"
    Then the Link header has first, next and last
    When a client sends GET "/products?per_page=10&page=3"
    Then the Link header has first, prev and last
    And the listed products are "P21" to "P25"
    And next_cursor is null

  Scenario: A page past the end is empty, not an error
    Given 25 products "P01" to "P25"
    And "ada" has logged in
    When a client sends GET "/products?per_page=10&page=9"
    Then the response status is 200
    And the listed products are none
    And the page says page 9 of 10 per page with 25 in total

  Scenario: The total counts a product added a moment ago
    Given 25 products "P01" to "P25"
    And "root" has logged in
    When a client sends GET "/products?per_page=10"
    Then the page says page 1 of 10 per page with 25 in total
    When "root" adds a product "P26" priced "26.00"
    And a client sends GET "/products?per_page=10"
    Then the page says page 1 of 10 per page with 26 in total

  Scenario: A page as far as paging goes is empty, not an error
    Given 25 products "P01" to "P25"
    And "ada" has logged in
    When a client sends GET "/products?page=9223372036854775807"
    Then the response status is 200
    And the listed products are none

  Scenario: An empty q is no filter at all
    Given 25 products "P01" to "P25"
    And "ada" has logged in
    When a client sends GET "/products?q="
    Then the page says page 1 of 20 per page with 25 in total

  Scenario: Names are searched with q, ignoring case
    Given the products:
      | name          | price  | stock |
      | Blue Teapot   | 25.00  | 3     |
      | Red teapot    | 19.99  | 0     |
      | Teaspoon      | 2.50   | 100   |
      | 100% Cotton   | 12.00  | 4     |
    And "ada" has logged in
    When a client sends GET "/products?q=TEAPOT"
    Then the listed product names are "Blue Teapot", "Red teapot"
    When a client sends GET "/products?q=100%25"
    Then the listed product names are "100% Cotton"
    When a client sends GET "/products?q=_"
    Then the listed product names are none

  Scenario: Prices filter inclusively, and stock filters by availability
    Given the products:
      | name    | price | stock |
      | Cheap   | 5.00  | 1     |
      | Middle  | 10.00 | 0     |
      | Dear    | 20.00 | 7     |
    And "ada" has logged in
    When a client sends GET "/products?min_price=10&max_price=20.00"
    Then the listed product names are "Middle", "Dear"
    When a client sends GET "/products?in_stock=true"
    Then the listed product names are "Cheap", "Dear"
    When a client sends GET "/products?in_stock=false"
    Then the listed product names are "Middle"

  Scenario Outline: The catalogue sorts by <sort>, ties broken by id
    Given the products:
      | name    | price | stock |
      | banana  | 3.00  | 1     |
      | Apple   | 3.00  | 1     |
      | cherry  | 1.00  | 1     |
      | Date    | 7.00  | 1     |
    And "ada" has logged in
    When a client sends GET "/products?sort=<sort>"
    Then the listed product names are <names>

    Examples:
      | sort        | names                                  |
      | id          | "banana", "Apple", "cherry", "Date"    |
      | -id         | "Date", "cherry", "Apple", "banana"    |
      | name        | "Apple", "banana", "cherry", "Date"    |
      | -name       | "Date", "cherry", "banana", "Apple"    |
      | price       | "cherry", "banana", "Apple", "Date"    |
      | -price      | "Date", "Apple", "banana", "cherry"    |
      | created_at  | "banana", "Apple", "cherry", "Date"    |
      | -created_at | "Date", "cherry", "Apple", "banana"    |

  Scenario Outline: Walking the catalogue by cursor gives every product once, in order
    Given 23 products "P01" to "P23"
    And "ada" has logged in
    When the client follows next_cursor from GET "/products?per_page=5&sort=<sort>"
    Then the product names seen are "P01" to "P23" <order>

    Examples:
      | sort   | order      |
      | id     | in order   |
      | -id    | in reverse |
      | name   | in order   |
      | -price | in reverse |

  Scenario Outline: A walk by cursor misses no product that stays, whatever is deleted or added meanwhile (<sort>)
    Whether there is a next page is decided by the rows after the cursor, never
    by the total, so deleting rows behind the walk cannot end it early.

    Given 8 products "W1" to "W8"
    And the product "Other" priced "4.50" with 1 in stock
    And "root" has logged in
    When "root" starts walking GET "/products?q=w&per_page=3&sort=<sort>"
    And "root" deletes the first and the last product of that page
    And "root" adds a product "W9" priced "4.50"
    And the walk goes on by next_cursor to the end
    Then the walk showed every product that was there all along, once each and in order

    Examples:
      | sort        |
      | id          |
      | -id         |
      | name        |
      | -name       |
      | price       |
      | -price      |
      | created_at  |
      | -created_at |

  Scenario Outline: Bad list parameters are 422 at that parameter
    Given "ada" has logged in
    When a client sends GET "/products?<query>"
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc   | msg   |
      | <loc> | <msg> |

    Examples:
      | query                  | loc                      | msg             |
      | sort=colour            | ["query", "sort"]        | should be 'id'  |
      | sort=--id              | ["query", "sort"]        | should be 'id'  |
      | in_stock=yes           | ["query", "in_stock"]    | true or false   |
      | min_price=1.234        | ["query", "min_price"]   | two decimal places |
      | max_price=-5           | ["query", "max_price"]   | 0 to 99999999.99 |
      | cursor=abc             | ["query", "cursor"]      | cursor          |
      | per_page=500           | ["query", "per_page"]    | less than or equal to 100 |
      | page=1&cursor=abc      | ["query", "cursor"]      | not both        |
      | q=%00                  | ["query", "q"]           | NUL             |

  Scenario: A cursor only works with the filters and sort it was made for
    Given 23 products "P01" to "P23"
    And "ada" has logged in
    When a client sends GET "/products?per_page=5&sort=name"
    And the client sends the next_cursor with "sort=price" instead
    Then the response is a problem with status 422

  Scenario: A cursor a client changed is refused
    A cursor carries the sort key of the last row shown, sealed by the shop
    with a key derived from SECRET_KEY: a client can hand it back, but not
    make one or change what it says.
    Given 23 products "P01" to "P23"
    And "ada" has logged in
    When a client sends GET "/products?per_page=5&sort=name"
    And the client sends the next_cursor with its page changed to 4
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                 | msg                            |
      | ["query", "cursor"] | not valid for this list        |

  # -- A public catalogue, for storefronts ------------------------------------

  Scenario: By default, reading the catalogue needs a token
    Given the product "Teapot" priced "19.99" with 12 in stock
    When a visitor without a token asks for the product "Teapot"
    Then the response is a problem with status 401
    When a client sends GET "/products"
    Then the response is a problem with status 401

  Scenario: With a public catalogue, visitors read products without a token
    Given the catalogue is public
    And the product "Teapot" priced "19.99" with 12 in stock
    When a client sends GET "/products"
    Then the response status is 200
    And the listed product names are "Teapot"
    When a visitor without a token asks for the product "Teapot"
    Then the response is the product "Teapot" priced "19.99" USD with 12 in stock
    And the response has an ETag

  Scenario: With a public catalogue, every other rule stays, and a bad token is still refused
    Given the catalogue is public
    When a client sends POST "/products" with the JSON body:
      """
      {"name": "Kettle", "price": "30.00", "stock": 1}
      """
    Then the response is a problem with status 401
    When a client sends GET "/orders"
    Then the response is a problem with status 401
    When a client sends GET "/products" with the header "Authorization: Bearer not-a-token"
    Then the response is a problem with status 401

  # -- Changing ---------------------------------------------------------------

  Scenario: An admin changes the price and the stock
    Given the product "Teapot" priced "19.99" with 12 in stock
    And "root" has logged in
    When "root" changes the product "Teapot" with:
      """
      {"price": 17.5, "stock": 30}
      """
    Then the response status is 200
    And the response is the product "Teapot" priced "17.50" USD with 30 in stock

  Scenario: An admin renames a product and rewrites its description
    Given the product "Teapot" priced "19.99" with 12 in stock
    And "root" has logged in
    When "root" changes the product "Teapot" with:
      """
      {"name": "Big Teapot", "description": "Now holds two litres."}
      """
    Then the response status is 200
    And the response is the product "Big Teapot" priced "19.99" USD with 12 in stock

  Scenario Outline: A change is checked like a new product
    Given the product "Teapot" priced "19.99" with 12 in stock
    And the product "Kettle" priced "30.00" with 2 in stock
    And "root" has logged in
    When "root" changes the product "Teapot" with:
      """
      <body>
      """
    Then the response is a problem with status <status>
    And the product "Teapot" is priced "19.99" with 12 in stock

    Examples:
      | body                   | status |
      | {}                     | 422    |
      | {"price": "1.001"}     | 422    |
      | {"stock": -3}          | 422    |
      | {"name": ""}           | 422    |
      | {"currency": "EUR"}    | 422    |
      | {"name": "KETTLE"}     | 409    |

  Scenario: If-Match with the current ETag lets the change through
    Given the product "Teapot" priced "19.99" with 12 in stock
    And "root" has logged in
    And "root" has read the product "Teapot" and kept its ETag
    When "root" changes the product "Teapot" with the kept ETag and:
      """
      {"stock": 11}
      """
    Then the response status is 200
    And the response has a new ETag

  Scenario: If-Match with a stale ETag is 412 and changes nothing
    Given the product "Teapot" priced "19.99" with 12 in stock
    And "root" has logged in
    And "root" has read the product "Teapot" and kept its ETag
    And the product "Teapot" has since been changed to 9 in stock
    When "root" changes the product "Teapot" with the kept ETag and:
      """
      {"stock": 11}
      """
    Then the response is a problem with status 412
    And the product "Teapot" is priced "19.99" with 9 in stock

  Scenario: A client that holds the current version is told it has not changed (304)
    A client (or a cache) that kept a product's ETag asks again with
    If-None-Match: while the product is unchanged, the answer is 304 with the
    same ETag and no body.
    Given the product "Teapot" priced "19.99" with 12 in stock
    And "ada" has logged in
    And "ada" has read the product "Teapot" and kept its ETag
    When "ada" asks for the product "Teapot" with If-None-Match the kept ETag
    Then the response status is 304
    And the response header "ETag" is the kept ETag
    And the response has no body

  Scenario: A client that holds an old version gets the product as it is now
    Given the product "Teapot" priced "19.99" with 12 in stock
    And "ada" has logged in
    And "ada" has read the product "Teapot" and kept its ETag
    And the product "Teapot" has since been changed to 9 in stock
    When "ada" asks for the product "Teapot" with If-None-Match the kept ETag
    Then the response status is 200
    And the response is the product "Teapot" priced "19.99" USD with 9 in stock
    And the response has a new ETag

  Scenario Outline: If-None-Match compares versions, not their spelling: <if_none_match>
    Given the product "Teapot" priced "19.99" with 12 in stock
    And "ada" has logged in
    And "ada" has read the product "Teapot" and kept its ETag
    When "ada" asks for the product "Teapot" with If-None-Match <if_none_match>
    Then the response status is <status>

    Examples:
      | if_none_match                      | status |
      | the kept ETag                      | 304    |
      | the kept ETag marked weak (W/)     | 304    |
      | another ETag, then the kept one    | 304    |
      | "*"                                | 304    |
      | another ETag                       | 200    |

  # -- Deleting ---------------------------------------------------------------

  Scenario: An admin deletes a product, and it leaves the catalogue
    Given the product "Teapot" priced "19.99" with 12 in stock
    And "root" has logged in
    When "root" deletes the product "Teapot"
    Then the response status is 204
    And the catalogue holds no product "Teapot"

  Scenario: Orders keep the lines of a deleted product, with its name and price as sold
    Given the product "Teapot" priced "19.99" with 12 in stock
    And "ada" has an order of 2 "Teapot"
    And "root" has logged in
    When "root" deletes the product "Teapot"
    Then the response status is 204
    And "ada"'s order still has a line of 2 "Teapot" at "19.99" with no product id
