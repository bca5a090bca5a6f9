Feature: Hostile input is refused cleanly and changes nothing
  Whatever a client sends, the shop answers with a clear 4xx problem (never a
  5xx, never a hang) and stores nothing of a refused request. Text is taken
  as text: SQL metacharacters are just characters. A name may not hide or
  reorder what it shows (control characters, zero-width spaces, bidi
  overrides), and names that only look different (full-width letters,
  ligatures, other case) are the same name: a product's uniqueness and
  the `q` search compare names in Unicode's compatibility form (NFKC),
  ignoring case.

  Background:
    Given an admin "root" with the password "correct horse battery"
    And "root" has logged in
    And the product "Teapot" priced "19.99" with 5 in stock

  Scenario Outline: <input> is a clean <status> and changes nothing
    When the admin sends <request> with <input>
    Then the response is a problem with status <status>
    And the catalogue and the orders are as they were

    Examples: Bodies that are not what they claim
      | input                                  | request        | status |
      | bytes that are not UTF-8               | POST /products | 400    |
      | JSON nested 10,000 arrays deep         | POST /products | 400    |
      | the key "name" given twice             | POST /products | 422    |
      | a NUL character in the name            | POST /products | 422    |

    Examples: Numbers out of any range
      | input                                  | request        | status |
      | the price 1e400                        | POST /products | 422    |
      | the price -0                           | POST /products | 422    |
      | the price -0.0                         | POST /products | 422    |
      | the stock -0                           | POST /products | 422    |
      | the stock 1e400                        | POST /products | 422    |
      | a line with the quantity -0            | POST /orders   | 422    |
      | a line with the quantity 1e400         | POST /orders   | 422    |
      | 10,000 order lines                     | POST /orders   | 422    |

    Examples: Names that hide what they show, or copy another
      | input                                  | request        | status |
      | a zero-width space in the name         | POST /products | 422    |
      | a right-to-left override in the name   | POST /products | 422    |
      | a line feed in the name                | POST /products | 422    |
      | a line separator (U+2028) in the name  | POST /products | 422    |
      | only a Hangul filler (U+3164) as name  | POST /products | 422    |
      | the name "Ｔｅａｐｏｔ" in full-width letters | POST /products | 409    |
      | the name "TEAPOT"                      | POST /products | 409    |

    Examples: Queries
      | input                                  | request        | status |
      | a query string of 100 KB               | GET /products  | 422    |
      | a NUL character in q                   | GET /products  | 422    |

  Scenario: SQL metacharacters in a name are stored and found as written
    When "root" adds a product "Robert'); DROP TABLE products;--" priced "1.00"
    Then the response status is 201
    When a client sends GET "/products?q=%27%29%3B%20DROP%20TABLE"
    Then the listed products are "Robert'); DROP TABLE products;--"

  Scenario: A search in full-width letters finds the product
    When a client sends GET "/products?q=%EF%BD%94%EF%BD%85%EF%BD%81"
    Then the listed products are "Teapot"

  Scenario: A request id that tries to add a header is replaced
    When a client sends GET "/health" with an X-Request-ID that ends in a line break and "Set-Cookie: session=stolen"
    Then the response carries a fresh request id
    And the response has no header "Set-Cookie"
