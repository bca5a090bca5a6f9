Feature: Options, variants and the stock they hold
  What a shop sells is a product's variants: the T-shirt in M, red. A product
  has up to 3 "options" ({"name": "size", "values": ["S", "M", "L"]}, 1 to 50
  values each, names and values 1 to 50 characters, unique within their list
  ignoring case) and at least one active variant. A variant is {"id",
  "product_id", "sku", "options": {"size": "M"}, "price", "stock", "position",
  "images"}: it names exactly one value of each option, and no two active
  variants of a product name the same values. A SKU is 1 to 64 of
  A-Z a-z 0-9 . _ - and unique ignoring case among all variants, archived ones
  included; left out, it is made from the product's slug and the values.

  A product without options has exactly one variant, which carries its price
  and stock: every request about products and orders that names no variant
  acts on it. A product with options is created with its variants instead of a
  price and stock; its "price" is then its lowest active variant price and its
  "stock" what its active variants hold together, both read-only.

  Every change of a variant's stock (an order, a cancel, an expiry, an order
  deleted, an admin) writes a stock movement {"id", "delta", "reason",
  "order_id", "created_at"} in the same transaction, so a variant's movements
  always add up to its stock. A variant that was ever ordered is archived when
  it is deleted: it leaves the catalogue, orders for it are refused at their
  line, and the lines that sold it keep its SKU, options, name and price.

  Endpoints: POST /products/{id}/variants, GET /products/{id}/variants,
  GET, PATCH and DELETE /products/{id}/variants/{variant_id} (writes for
  admins), GET /products/{id}/variants/{variant_id}/stock-movements (admins).

  Background:
    Given an admin "root" with the password "correct horse battery"
    And a customer "ada" with the password "correct horse battery"
    And "root" has logged in
    And "ada" has logged in

  # -- A product with options ---------------------------------------------------

  Scenario: A product with options is created with its variants, its price is the lowest and its stock their sum
    When "root" adds the product:
      """
      {"name": "T-Shirt", "options": [{"name": "size", "values": ["S", "M", "L"]}],
       "variants": [{"options": {"size": "S"}, "price": "15.00", "stock": 4},
                    {"options": {"size": "M"}, "price": "15.00", "stock": 6, "sku": "TEE-M"},
                    {"options": {"size": "L"}, "price": "17.50", "stock": 0}]}
      """
    Then the response status is 201
    And the response shows the price "15.00" and 10 in stock
    And the response's variants are:
      | sku       | options        | price | stock | position |
      | t-shirt-s | {"size": "S"}  | 15.00 | 4     | 0        |
      | TEE-M     | {"size": "M"}  | 15.00 | 6     | 1        |
      | t-shirt-l | {"size": "L"}  | 17.50 | 0     | 2        |

  Scenario: A product without options has exactly one variant, with its price and stock
    When "root" adds the product:
      """
      {"name": "Teapot", "price": "19.99", "stock": 12}
      """
    Then the response's variants are:
      | sku    | options | price | stock | position |
      | teapot | {}      | 19.99 | 12    | 0        |

  Scenario Outline: A product gives a price and stock, or options and variants: <case>
    When "root" adds the product:
      """
      <body>
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc   | msg   |
      | <loc> | <msg> |
    And the catalogue holds no product "Cup"

    Examples:
      | case                        | body                                                                                                                    | loc                   | msg                        |
      | options without variants    | {"name": "Cup", "options": [{"name": "size", "values": ["S"]}]}                                                         | ["body", "variants"]  | needs its variants         |
      | options with a price        | {"name": "Cup", "price": "1.00", "options": [{"name": "size", "values": ["S"]}], "variants": [{"options": {"size": "S"}, "price": "1.00", "stock": 1}]} | ["body", "price"] | price and stock per variant |
      | variants without options    | {"name": "Cup", "price": "1.00", "stock": 1, "variants": [{"options": {}, "price": "1.00", "stock": 1}]}                  | ["body", "variants"]  | variants come with options |
      | neither                     | {"name": "Cup", "stock": 1}                                                                                             | ["body", "price"]     | field required             |

  Scenario Outline: Options are 0 to 3, each with 1 to 50 values, unique ignoring case: <case>
    When "root" adds the product:
      """
      {"name": "Cup", "options": <options>, "variants": [{"options": {"size": "S"}, "price": "1.00", "stock": 1}]}
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc   | msg   |
      | <loc> | <msg> |
    And the catalogue holds no product "Cup"

    Examples:
      | case                | options                                                                                                                            | loc                                  | msg               |
      | four options        | [{"name": "a", "values": ["1"]}, {"name": "b", "values": ["1"]}, {"name": "c", "values": ["1"]}, {"name": "size", "values": ["S"]}] | ["body", "options"]                  | at most 3         |
      | no values           | [{"name": "size", "values": []}]                                                                                                   | ["body", "options", 0, "values"]     | at least 1        |
      | a name given twice  | [{"name": "size", "values": ["S"]}, {"name": "SIZE", "values": ["M"]}]                                                             | ["body", "options"]                  | given twice       |
      | a value given twice | [{"name": "size", "values": ["S", "s"]}]                                                                                           | ["body", "options", 0, "values"]     | given twice       |
      | a blank name        | [{"name": " ", "values": ["S"]}]                                                                                                   | ["body", "options", 0, "name"]       | must not be blank |
      | a name too long     | [{"name": "sssssssssssssssssssssssssssssssssssssssssssssssssss", "values": ["S"]}]                                                  | ["body", "options", 0, "name"]       | at most 50        |

  Scenario Outline: A variant names exactly one value of each option: <case>
    When "root" adds the product:
      """
      {"name": "Cup", "options": [{"name": "size", "values": ["S", "M"]}, {"name": "colour", "values": ["red"]}],
       "variants": [{"options": <values>, "price": "1.00", "stock": 1}]}
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc   | msg   |
      | <loc> | <msg> |

    Examples:
      | case                  | values                                         | loc                                                 | msg                      |
      | an option left out    | {"size": "S"}                                  | ["body", "variants", 0, "options", "colour"]        | give a value             |
      | a value not offered   | {"size": "XL", "colour": "red"}                | ["body", "variants", 0, "options", "size"]          | is not a value of        |
      | an unknown option     | {"size": "S", "colour": "red", "fit": "slim"}  | ["body", "variants", 0, "options", "fit"]           | no such option           |

  Scenario: Values are matched ignoring case and shown as the product spells them
    When "root" adds the product:
      """
      {"name": "Cup", "options": [{"name": "Size", "values": ["Small"]}],
       "variants": [{"options": {"size": "SMALL"}, "price": "1.00", "stock": 1}]}
      """
    Then the response status is 201
    And the response's variants are:
      | sku         | options           | price | stock | position |
      | cup-small   | {"Size": "Small"} | 1.00  | 1     | 0        |

  Scenario: Two active variants with the same values are refused
    When "root" adds the product:
      """
      {"name": "Cup", "options": [{"name": "size", "values": ["S", "M"]}],
       "variants": [{"options": {"size": "S"}, "price": "1.00", "stock": 1},
                    {"options": {"size": "s"}, "price": "2.00", "stock": 1}]}
      """
    Then the response is a problem with status 409
    And the catalogue holds no product "Cup"

  # -- SKUs and slugs ---------------------------------------------------------------

  Scenario: A SKU is unique ignoring case, archived variants included
    Given the product "T-Shirt" in sizes "S", "M" with 5 each
    And "ada" has ordered 1 of the variant "t-shirt-s"
    And "root" has deleted the variant "t-shirt-s"
    When "root" adds to "T-Shirt" the variant:
      """
      {"sku": "T-SHIRT-S", "options": {"size": "S"}, "price": "15.00", "stock": 1}
      """
    Then the response is a problem with status 409
    And the problem says "taken"

  Scenario: A SKU left out is made from the slug and the values, with -2 on a clash
    Given the product "T-Shirt" in sizes "S", "M" with 5 each
    And "T-Shirt" is offered in "L" too
    And "root" has changed the variant "t-shirt-m" with:
      """
      {"sku": "t-shirt-l"}
      """
    When "root" adds to "T-Shirt" the variant:
      """
      {"options": {"size": "L"}, "price": "15.00", "stock": 1}
      """
    Then the response status is 201
    And the response's "sku" is "t-shirt-l-2"

  Scenario Outline: A SKU is 1 to 64 of A-Z a-z 0-9 . _ -: <sku>
    Given the product "T-Shirt" in sizes "S", "M" with 5 each
    When "root" changes the variant "t-shirt-s" with:
      """
      {"sku": "<sku>"}
      """
    Then the response status is <status>

    Examples:
      | sku            | status |
      | TEE_S.v2-blue  | 200    |
      | tee s          | 422    |
      | tée            | 422    |
      |                | 422    |

  Scenario: A slug is made from the name, in any script, with -2 on a clash
    When "root" adds the product:
      """
      {"name": "Crème Brûlée Set", "price": "1.00", "stock": 1}
      """
    Then the response's "slug" is "creme-brulee-set"
    When "root" adds the product:
      """
      {"name": "creme brulee set!", "price": "1.00", "stock": 1}
      """
    Then the response's "slug" is "creme-brulee-set-2"

  Scenario Outline: A given slug must be free and well formed: <slug>
    Given the product "Teapot" priced "19.99" with 12 in stock
    When "root" adds the product:
      """
      {"name": "Kettle", "slug": "<slug>", "price": "1.00", "stock": 1}
      """
    Then the response status is <status>

    Examples:
      | slug         | status |
      | black-kettle | 201    |
      | teapot       | 409    |
      | Kettle       | 422    |
      | kettle--2    | 422    |
      | -kettle      | 422    |

  Scenario: The catalogue finds a product by its slug
    Given the product "Teapot" priced "19.99" with 12 in stock
    And the product "Kettle" priced "30.00" with 2 in stock
    When a client sends GET "/products?slug=kettle"
    Then the listed product names are "Kettle"

  # -- Images -------------------------------------------------------------------

  Scenario: Images are https addresses with words for who cannot see them, in the order given
    When "root" adds the product:
      """
      {"name": "Teapot", "price": "19.99", "stock": 1,
       "images": [{"url": "https://img.example/b.jpg", "alt": "From the side"}, {"url": "https://img.example/a.jpg"}]}
      """
    Then the response status is 201
    And the response's images are:
      | url                       | alt           |
      | https://img.example/b.jpg | From the side |
      | https://img.example/a.jpg |               |

  Scenario Outline: An image that is not an https address is refused: <url>
    When "root" adds the product:
      """
      {"name": "Teapot", "price": "19.99", "stock": 1, "images": [{"url": "<url>"}]}
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                                 | msg             |
      | ["body", "images", 0, "url"]        | https:// URL    |

    Examples:
      | url                        |
      | http://img.example/a.jpg   |
      | javascript:alert(1)        |
      | https://                   |
      | img.example/a.jpg          |

  # -- Changing a product with options -------------------------------------------

  Scenario: The price and stock of a product with options are its variants'
    Given the product "T-Shirt" in sizes "S", "M" with 5 each
    When "root" changes the product "T-Shirt" with:
      """
      {"stock": 100}
      """
    Then the response is a problem with status 409
    And the problem says "per variant"

  Scenario: An option may be renamed and given more values, and its variants follow
    Given the product "T-Shirt" in sizes "S", "M" with 5 each
    When "root" changes the product "T-Shirt" with:
      """
      {"options": [{"name": "Size", "values": ["S", "M", "XL"]}]}
      """
    Then the response status is 200
    And the response's variants are:
      | sku       | options        | price | stock | position |
      | t-shirt-s | {"Size": "S"}  | 15.00 | 5     | 0        |
      | t-shirt-m | {"Size": "M"}  | 15.00 | 5     | 1        |

  Scenario Outline: Options cannot be added or removed, nor values an active variant uses: <case>
    Given the product "T-Shirt" in sizes "S", "M" with 5 each
    When "root" changes the product "T-Shirt" with:
      """
      {"options": <options>}
      """
    Then the response is a problem with status 409

    Examples:
      | case                  | options                                                                          |
      | an option added       | [{"name": "size", "values": ["S", "M"]}, {"name": "colour", "values": ["red"]}] |
      | the option removed    | []                                                                               |
      | a used value dropped  | [{"name": "size", "values": ["S"]}]                                              |

  Scenario: Options keep their order: two swapped would swap every variant's values
    When "root" adds the product:
      """
      {"name": "Frame", "options": [{"name": "width", "values": ["1", "2"]}, {"name": "height", "values": ["1", "2"]}],
       "variants": [{"options": {"width": "1", "height": "2"}, "price": "5.00", "stock": 1}]}
      """
    And "root" changes the product "Frame" with:
      """
      {"options": [{"name": "height", "values": ["1", "2"]}, {"name": "width", "values": ["1", "2"]}]}
      """
    Then the response is a problem with status 409
    And the problem says "order"

  Scenario: A variant naming one option twice, in two cases, is refused
    When "root" adds the product:
      """
      {"name": "Cup", "options": [{"name": "size", "values": ["S", "M"]}],
       "variants": [{"options": {"size": "S", "SIZE": "M"}, "price": "1.00", "stock": 1}]}
      """
    Then the response is a problem with status 422
    And the catalogue holds no product "Cup"

  Scenario: A SKU given to one variant is not made for another of the same product
    When "root" adds the product:
      """
      {"name": "Tee", "options": [{"name": "size", "values": ["S", "M"]}],
       "variants": [{"options": {"size": "S"}, "price": "1.00", "stock": 1},
                    {"options": {"size": "M"}, "price": "1.00", "stock": 1, "sku": "TEE-S"}]}
      """
    Then the response status is 201
    And the response's variants are:
      | sku     | options       | price | stock | position |
      | tee-s-2 | {"size": "S"} | 1.00  | 1     | 0        |
      | TEE-S   | {"size": "M"} | 1.00  | 1     | 1        |

  # -- Variants ---------------------------------------------------------------------

  Scenario: An admin adds a variant: the product's price follows and its first stock is a movement
    Given the product "T-Shirt" in sizes "S", "M" with 5 each
    And "T-Shirt" is offered in "L" too
    When "root" adds to "T-Shirt" the variant:
      """
      {"options": {"size": "L"}, "price": "9.99", "stock": 7}
      """
    Then the response status is 201
    And the response header "Location" is the new variant's address
    And the product "T-Shirt" shows the price "9.99" and 17 in stock
    And the stock movements of "t-shirt-l" are:
      | delta | reason | order |
      | 7     | admin  |       |

  Scenario: A product's variants are listed by position, a page at a time
    Given the product "T-Shirt" in sizes "S", "M", "L", "XL" with 5 each
    And "root" has changed the variant "t-shirt-xl" with:
      """
      {"position": 0}
      """
    When "ada" lists the variants of "T-Shirt" with "per_page=3"
    Then the listed SKUs are "t-shirt-s", "t-shirt-xl", "t-shirt-m"
    And the page says page 1 of 3 per page with 4 in total

  Scenario: A variant is read through its own product only
    Given the product "T-Shirt" in sizes "S", "M" with 5 each
    And the product "Teapot" priced "19.99" with 12 in stock
    When "ada" reads the variant "t-shirt-s" of "T-Shirt"
    Then the response status is 200
    And the response's "sku" is "t-shirt-s"
    When "ada" reads the variant "t-shirt-s" of "Teapot"
    Then the response is a problem with status 404

  Scenario: An admin sets a variant's stock and price: the difference is a movement
    Given the product "T-Shirt" in sizes "S", "M" with 5 each
    When "root" changes the variant "t-shirt-m" with:
      """
      {"stock": 2, "price": "12.00"}
      """
    Then the response status is 200
    And the product "T-Shirt" shows the price "12.00" and 7 in stock
    And the stock movements of "t-shirt-m" are:
      | delta | reason | order |
      | -3    | admin  |       |
      | 5     | admin  |       |

  Scenario: A change to a variant's values keeps them unique among the active ones
    Given the product "T-Shirt" in sizes "S", "M" with 5 each
    When "root" changes the variant "t-shirt-m" with:
      """
      {"options": {"size": "S"}}
      """
    Then the response is a problem with status 409

  Scenario: A variant never ordered is deleted
    Given the product "T-Shirt" in sizes "S", "M" with 5 each
    When "root" deletes the variant "t-shirt-m"
    Then the response status is 204
    And the product "T-Shirt" shows the price "15.00" and 5 in stock
    When "ada" reads the variant "t-shirt-m" of "T-Shirt"
    Then the response is a problem with status 404

  Scenario: A variant once ordered is archived: out of the catalogue, its order lines and movements kept
    Given the product "T-Shirt" in sizes "S", "M" with 5 each
    And "ada" has ordered 2 of the variant "t-shirt-m"
    When "root" deletes the variant "t-shirt-m"
    Then the response status is 204
    And the product "T-Shirt" shows the price "15.00" and 5 in stock
    When "ada" orders 1 of the variant "t-shirt-m"
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                                 | msg                |
      | ["body", "items", 0, "variant_id"]  | no longer sold     |
    When "ada" reads that order
    Then its lines are:
      | sku       | name    | options       | unit_price | quantity |
      | t-shirt-m | T-Shirt | {"size": "M"} | 15.00      | 2        |
    And the stock movements of "t-shirt-m" are:
      | delta | reason | order       |
      | -2    | order  | that order  |
      | 5     | admin  |             |

  Scenario: A product keeps at least one active variant
    Given the product "T-Shirt" in sizes "S", "M" with 5 each
    And "root" has deleted the variant "t-shirt-s"
    When "root" deletes the variant "t-shirt-m"
    Then the response is a problem with status 409
    And the product "T-Shirt" shows the price "15.00" and 5 in stock

  # -- Ordering variants ----------------------------------------------------------

  Scenario: An order names variants; each line shows what was sold, and only that variant's stock is taken
    Given the product "T-Shirt" in sizes "S", "M" with 5 each
    When "ada" orders 2 of the variant "t-shirt-m"
    Then the response status is 201
    And its lines are:
      | sku       | name    | options       | unit_price | quantity |
      | t-shirt-m | T-Shirt | {"size": "M"} | 15.00      | 2        |
    And the variants of "T-Shirt" hold:
      | sku       | stock |
      | t-shirt-s | 5     |
      | t-shirt-m | 3     |

  Scenario: A line may name a product of one variant, not one with several
    Given the product "T-Shirt" in sizes "S", "M" with 5 each
    And the product "Teapot" priced "19.99" with 12 in stock
    When "ada" places an order with the lines:
      | product | variant | quantity |
      | Teapot  |         | 1        |
      | T-Shirt |         | 1        |
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                                 | msg               |
      | ["body", "items", 1, "product_id"]  | choose a variant  |

  Scenario Outline: An order line names a variant or a product, once: <case>
    Given the product "Teapot" priced "19.99" with 12 in stock
    When "ada" places an order with the lines:
      | product   | variant   | quantity |
      | <product> | <variant> | 1        |
      | <again>   |           | 1        |
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc   | msg   |
      | <loc> | <msg> |

    Examples:
      | case                                 | product | variant | again  | loc                                 | msg                       |
      | a product and its variant            |         | teapot  | Teapot | ["body", "items", 1, "product_id"]  | more than once            |
      | both on one line                     | Teapot  | teapot  | Teapot | ["body", "items", 0]                | one of them               |

  Scenario: The short variant is named by its SKU and nothing is taken
    Given the product "T-Shirt" in sizes "S", "M" with 5 each
    When "ada" places an order with the lines:
      | product | variant   | quantity |
      |         | t-shirt-s | 1        |
      |         | t-shirt-m | 6        |
    Then the response is a problem with status 409
    And the problem says "T-Shirt (SKU t-shirt-m)"
    And the variants of "T-Shirt" hold:
      | sku       | stock |
      | t-shirt-s | 5     |
      | t-shirt-m | 5     |

  # -- Stock movements -------------------------------------------------------------

  Scenario: Every change of stock is a movement, newest first, and they add up to the stock
    Given the shop expires unpaid orders after 60 seconds
    And the product "T-Shirt" in sizes "S", "M" with 5 each
    And "ada" has ordered 1 of the variant "t-shirt-s"
    And "ada" has set that order's status to "cancelled"
    And "ada" has ordered 2 of the variant "t-shirt-s"
    And "ada" has deleted that order
    And "ada" has ordered 3 of the variant "t-shirt-s"
    When 61 seconds pass and the shop sweeps
    Then the stock movements of "t-shirt-s" are:
      | delta | reason | order         |
      | 3     | expiry | the 3rd order |
      | -3    | order  | the 3rd order |
      | 2     | delete | the 2nd order |
      | -2    | order  | the 2nd order |
      | 1     | cancel | the 1st order |
      | -1    | order  | the 1st order |
      | 5     | admin  |               |

  Scenario: A product's stock, changed without options, is its variant's movement too
    Given the product "Teapot" priced "19.99" with 12 in stock
    When "root" changes the product "Teapot" with:
      """
      {"stock": 20}
      """
    Then the stock movements of "teapot" are:
      | delta | reason | order |
      | 8     | admin  |       |
      | 12    | admin  |       |

  # -- What the feed tells -----------------------------------------------------------

  Scenario: Variants changing are told as product.updated
    Given the product "T-Shirt" in sizes "S", "M" with 5 each
    And "T-Shirt" is offered in "L" too
    And "root" has read the event feed
    When "root" adds to "T-Shirt" the variant:
      """
      {"options": {"size": "L"}, "price": "9.99", "stock": 7}
      """
    And "root" changes the variant "t-shirt-l" with:
      """
      {"stock": 8}
      """
    And "root" deletes the variant "t-shirt-l"
    And "root" reads the events after the last one it has
    Then the feed shows, oldest first:
      | type            |
      | product.updated |
      | product.updated |
      | product.updated |
