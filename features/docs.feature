@document
Feature: API documentation
  GET /openapi.json describes the whole API as an OpenAPI 3.1 document. It is
  built from the very schemas that validate requests and shape answers, and
  from the shop's own routes, so it cannot drift from what the shop does.
  GET /docs is Swagger UI, to try the API in a browser, and GET /redoc is
  ReDoc, to read it as a reference. Both are served from the shop's own
  package: they work with no internet access. GET / leads to /docs. None of
  them needs a token; "Authorize" in Swagger UI takes the access_token from
  POST /login.

  Scenario: The document is valid OpenAPI 3.1
    When a client sends GET "/openapi.json"
    Then the response status is 200
    And the response header "Content-Type" is "application/json"
    And the response is a valid OpenAPI 3.1 document

  Scenario: The document describes exactly the routes the shop serves (HEAD goes with GET; the pages' files aside)
    When a client reads the OpenAPI document
    Then its operations are exactly the shop's routes and their methods

  Scenario Outline: <method> <path> is documented, <security>
    When a client reads the OpenAPI document
    Then it documents <method> "<path>" with the statuses <statuses>
    And it says <method> "<path>" is <security>

    Examples:
      | method | path                        | security           | statuses                                    |
      | POST   | /login                      | open to everyone   | 200 400 401 413 415 422 429 503             |
      | POST   | /logout                     | for a bearer token | 204 401 503                                 |
      | GET    | /health                     | open to everyone   | 200                                         |
      | GET    | /ready                      | open to everyone   | 200 503                                     |
      | GET    | /openapi.json               | open to everyone   | 200                                         |
      | GET    | /docs                       | open to everyone   | 200                                         |
      | GET    | /redoc                      | open to everyone   | 200                                         |
      | GET    | /                           | open to everyone   | 302                                         |
      | GET    | /metrics                    | open to everyone   | 200 401 404                                 |
      | POST   | /users                      | for a bearer token | 201 400 401 403 409 413 415 422 429 503     |
      | GET    | /users                      | for a bearer token | 200 401 403 422 503                         |
      | GET    | /users/me                   | for a bearer token | 200 401 503                                 |
      | GET    | /users/{user_id}            | for a bearer token | 200 401 404 503                             |
      | PATCH  | /users/{user_id}            | for a bearer token | 200 400 401 403 404 409 413 415 422 429 503 |
      | DELETE | /users/{user_id}            | for a bearer token | 204 401 404 409 503                         |
      | POST   | /products                   | for a bearer token | 201 400 401 403 409 413 415 422 503         |
      | GET    | /products                   | for a bearer token | 200 401 404 422 503                         |
      | GET    | /products/{product_id}      | for a bearer token | 200 304 401 404 503                         |
      | PATCH  | /products/{product_id}      | for a bearer token | 200 400 401 403 404 409 412 413 415 422 503 |
      | DELETE | /products/{product_id}      | for a bearer token | 204 401 403 404 503                         |
      | POST   | /orders                     | for a bearer token | 201 400 401 403 409 413 415 422 503         |
      | POST   | /orders/quote               | for a bearer token | 200 400 401 403 409 413 415 422 503         |
      | GET    | /orders                     | for a bearer token | 200 401 403 422 503                         |
      | GET    | /orders/{order_id}          | for a bearer token | 200 401 404 503                             |
      | PATCH  | /orders/{order_id}          | for a bearer token | 200 400 401 403 404 409 413 415 422 503     |
      | DELETE | /orders/{order_id}          | for a bearer token | 204 401 403 404 409 503                     |
      | GET    | /orders/{order_id}/payments | for a bearer token | 200 401 404 503                             |
      | POST   | /orders/{order_id}/payments | for a bearer token | 201 400 401 403 404 409 413 415 422 503     |
      | POST   | /orders/{order_id}/refunds  | for a bearer token | 201 400 401 403 404 409 413 415 422 503     |
      | POST   | /payments/stripe/webhook    | open to everyone   | 200 400 409 413 415 422 503                 |
      | GET    | /events                     | for a bearer token | 200 401 403 422 503                         |

    Examples: Categories
      | method | path                      | security           | statuses                                |
      | POST   | /categories               | for a bearer token | 201 400 401 403 409 413 415 422 503     |
      | GET    | /categories               | for a bearer token | 200 401 404 422 503                     |
      | GET    | /categories/{category_id} | for a bearer token | 200 401 404 503                         |
      | PATCH  | /categories/{category_id} | for a bearer token | 200 400 401 403 404 409 413 415 422 503 |
      | DELETE | /categories/{category_id} | for a bearer token | 204 401 403 404 409 503                 |

    Examples: The address book
      | method | path                             | security           | statuses                            |
      | GET    | /users/me/addresses              | for a bearer token | 200 401 422 503                     |
      | POST   | /users/me/addresses              | for a bearer token | 201 400 401 409 413 415 422 503     |
      | GET    | /users/me/addresses/{address_id} | for a bearer token | 200 401 404 503                     |
      | PATCH  | /users/me/addresses/{address_id} | for a bearer token | 200 400 401 404 413 415 422 503     |
      | DELETE | /users/me/addresses/{address_id} | for a bearer token | 204 401 404 503                     |

    Examples: Shipping and taxes
      | method | path                                      | security           | statuses                                |
      | POST   | /shipping-zones                           | for a bearer token | 201 400 401 403 409 413 415 422 503     |
      | GET    | /shipping-zones                           | for a bearer token | 200 401 422 503                         |
      | GET    | /shipping-zones/{zone_id}                 | for a bearer token | 200 401 404 503                         |
      | PATCH  | /shipping-zones/{zone_id}                 | for a bearer token | 200 400 401 403 404 409 413 415 422 503 |
      | DELETE | /shipping-zones/{zone_id}                 | for a bearer token | 204 401 403 404 409 503                 |
      | POST   | /shipping-zones/{zone_id}/rates           | for a bearer token | 201 400 401 403 404 413 415 422 503     |
      | GET    | /shipping-zones/{zone_id}/rates           | for a bearer token | 200 401 404 422 503                     |
      | GET    | /shipping-zones/{zone_id}/rates/{rate_id} | for a bearer token | 200 401 404 503                         |
      | PATCH  | /shipping-zones/{zone_id}/rates/{rate_id} | for a bearer token | 200 400 401 403 404 413 415 422 503     |
      | DELETE | /shipping-zones/{zone_id}/rates/{rate_id} | for a bearer token | 204 401 403 404 503                     |
      | POST   | /tax-rates                                | for a bearer token | 201 400 401 403 409 413 415 422 503     |
      | GET    | /tax-rates                                | for a bearer token | 200 401 403 422 503                     |
      | GET    | /tax-rates/{tax_rate_id}                  | for a bearer token | 200 401 403 404 503                     |
      | PATCH  | /tax-rates/{tax_rate_id}                  | for a bearer token | 200 400 401 403 404 409 413 415 422 503 |
      | DELETE | /tax-rates/{tax_rate_id}                  | for a bearer token | 204 401 403 404 503                     |

    Examples: Discount codes
      | method | path                     | security           | statuses                                |
      | POST   | /discounts               | for a bearer token | 201 400 401 403 409 413 415 422 503     |
      | GET    | /discounts               | for a bearer token | 200 401 403 422 503                     |
      | GET    | /discounts/{discount_id} | for a bearer token | 200 401 403 404 503                     |
      | PATCH  | /discounts/{discount_id} | for a bearer token | 200 400 401 403 404 409 413 415 422 503 |
      | DELETE | /discounts/{discount_id} | for a bearer token | 204 401 403 404 503                     |

    Examples: Webhooks
      | method | path                                                  | security           | statuses                            |
      | POST   | /webhooks                                             | for a bearer token | 201 400 401 403 413 415 422 503     |
      | GET    | /webhooks                                             | for a bearer token | 200 401 403 422 503                 |
      | GET    | /webhooks/{webhook_id}                                | for a bearer token | 200 401 403 404 503                 |
      | PATCH  | /webhooks/{webhook_id}                                | for a bearer token | 200 400 401 403 404 413 415 422 503 |
      | DELETE | /webhooks/{webhook_id}                                | for a bearer token | 204 401 403 404 503                 |
      | GET    | /webhooks/{webhook_id}/deliveries                     | for a bearer token | 200 401 403 404 422 503             |
      | POST   | /webhooks/{webhook_id}/deliveries/{delivery_id}/retry | for a bearer token | 202 401 403 404 409 503             |

  Scenario: With open registration, creating a user needs no token
    Given registration is open
    When a client reads the OpenAPI document
    Then it says POST "/users" is open to everyone, a token optional

  Scenario: With a public catalogue, reading products and categories needs no token
    Given the catalogue is public
    When a client reads the OpenAPI document
    Then it says GET "/products" is open to everyone, a token optional
    And it says GET "/products/{product_id}" is open to everyone, a token optional
    And it says POST "/products" is for a bearer token
    And it says GET "/categories" is open to everyone, a token optional
    And it says GET "/categories/{category_id}" is open to everyone, a token optional
    And it says POST "/categories" is for a bearer token
    And it says PATCH "/categories/{category_id}" is for a bearer token

  Scenario: A request body is documented by the schema that validates it
    When a client reads the OpenAPI document
    Then the body of POST "/products" requires "name" and allows no other fields
    And the body of POST "/orders" requires "items" and allows no other fields
    And the body of POST "/orders/quote" requires "items" and allows no other fields
    And the body of PATCH "/products/{product_id}" requires nothing and allows no other fields
    And the body of POST "/orders/{order_id}/payments" requires "amount", "reference" and allows no other fields
    And the body of POST "/orders/{order_id}/refunds" requires "amount", "reason" and allows no other fields
    And the body of POST "/webhooks" requires "url", "events" and allows no other fields
    And the body of PATCH "/webhooks/{webhook_id}" requires nothing and allows no other fields
    And the body of POST "/categories" requires "name" and allows no other fields
    And the body of PATCH "/categories/{category_id}" requires nothing and allows no other fields
    And the body of POST "/users/me/addresses" requires "name", "line1", "city", "postal_code", "country" and allows no other fields
    And the body of PATCH "/users/me/addresses/{address_id}" requires nothing and allows no other fields

  Scenario: Stripe's webhook body is documented as Stripe sends it, whatever else it carries
    When a client reads the OpenAPI document
    Then the body of POST "/payments/stripe/webhook" requires "id", "object", "type", "created", "livemode", "data" and allows other fields

  Scenario: Money is a two-decimal string in answers, a string or a number in requests
    When a client reads the OpenAPI document
    Then the schema "Product" has "price" as a string matching "^[0-9]+\.[0-9]{2}$"
    And the body of POST "/products" takes "price" as a string or a number

  Scenario: Every schema has a title of its own
    Generators name their classes after schema titles: two schemas with one
    title would become one class, and one of them would be lost.
    When a client reads the OpenAPI document
    Then no two schemas in it share a title
    And the schema "ProductListing" is titled "ProductListing"

  Scenario: The document speaks JSON Schema and OpenAPI 3.1 only
    Limits are `minimum` and `maximum`, the words every validator and
    generator reads; the document carries no words of the library that built it.
    When a client reads the OpenAPI document
    Then every schema in it uses JSON Schema keywords only
    And no parameter in it has "allowEmptyValue"
    And its info names the license "MIT"

  Scenario Outline: A query limit is a JSON Schema bound: <parameter> of GET <path>
    When a client reads the OpenAPI document
    Then the query parameter "<parameter>" of GET "<path>" is an integer from <minimum> to <maximum>

    Examples:
      | path      | parameter | minimum | maximum             |
      | /products | page      | 1       | 9223372036854775807 |
      | /products | per_page  | 1       | 100                 |
      | /users    | page      | 1       | 9223372036854775807 |
      | /orders   | user_id   | 1       | 9223372036854775807 |

  Scenario: A client that sends every default can still follow next_cursor
    Generated clients and Swagger UI send a parameter's default when it is
    not set. `page` has none in the document (it is 1 when absent), so a
    request with a `cursor` carries no `page`, which the shop would refuse.
    When a client reads the OpenAPI document
    Then the query parameter "page" has no default on GET "/products", GET "/users" and GET "/orders"
    And the query parameter "per_page" of GET "/products" has the default 20

  Scenario: A query text left empty is documented as not given
    Forms send their empty fields: the shop reads `?q=` as no filter, and the
    document's schemas take "" where the shop does.
    When a client reads the OpenAPI document
    Then the query parameters "q" and "cursor" of GET "/products" take an empty value
    And the query parameters "q" and "cursor" of GET "/users" take an empty value
    And the query parameters "min_price" and "max_price" of GET "/products" take an empty value
    And the query parameters "category" and "q" of GET "/products" take an empty value

  Scenario: A price in a query string is text
    When a client reads the OpenAPI document
    Then the query parameter "min_price" of GET "/products" is a string matching "^(0*[0-9]{1,8}(\.[0-9]{1,2})?)?$"

  Scenario: Enum values have names, for the code generated from them
    When a client reads the OpenAPI document
    Then the query parameter "sort" of GET "/products" names its values:
      | value       | name            |
      | id          | ID              |
      | -id         | ID_DESC         |
      | price       | PRICE           |
      | -price      | PRICE_DESC      |
      | -created_at | CREATED_AT_DESC |
    And the schema "ProblemDetails" names the "type" "urn:shop:problem:not-found" as "NOT_FOUND"

  Scenario: The headers a client acts on are documented on the answers that carry them
    Every answer in every scenario of these features is also checked against
    the document: its status is listed for its operation, and each of these
    headers it carries is documented on it.
    When a client reads the OpenAPI document
    Then these answers document these headers:
      | method | path                        | status | header              |
      | POST   | /orders                     | 201    | Idempotent-Replayed |
      | POST   | /orders                     | 409    | Idempotent-Replayed |
      | POST   | /orders                     | 201    | Location            |
      | POST   | /orders/{order_id}/payments | 201    | Location            |
      | POST   | /orders/{order_id}/payments | 201    | Idempotent-Replayed |
      | POST   | /orders/{order_id}/refunds  | 201    | Idempotent-Replayed |
      | GET    | /events                     | 200    | Link                |
      | GET    | /events                     | 200    | X-Total-Count       |
      | GET    | /products                   | 200    | Link                |
      | GET    | /products                   | 200    | X-Total-Count       |
      | GET    | /products/{product_id}      | 200    | ETag                |
      | PATCH  | /products/{product_id}      | 200    | ETag                |
      | PATCH  | /users/{user_id}            | 200    | Sessions-Ended      |
      | POST   | /login                      | 429    | Retry-After         |
      | GET    | /orders                     | 401    | WWW-Authenticate    |
      | GET    | /products                   | 503    | Retry-After         |
      | POST   | /webhooks                   | 201    | Location            |
      | GET    | /webhooks                   | 200    | Link                |
      | GET    | /webhooks                   | 401    | WWW-Authenticate    |
    And every response header it defines is used by some answer

  Scenario Outline: The money schema takes what the shop takes: <price>
    A validator or a generated client checks a price against the document
    before it is sent; the two must agree. (That a JSON number has at most two
    fraction digits is said in words: JSON Schema's `multipleOf` works in
    binary floating point, where 19.99 is no multiple of 0.01.)
    Given an admin "root" with the password "correct horse battery"
    And "root" has logged in
    When a client reads the OpenAPI document
    Then the "price" of the body of POST "/products" <verdict> <price>
    When "root" adds a product "Mug" priced <price>
    Then the response status is <status>

    Examples:
      | price       | verdict | status |
      | "19.99"     | takes   | 201    |
      | 19.99       | takes   | 201    |
      | 0.07        | takes   | 201    |
      | "5"         | takes   | 201    |
      | 99999999.99 | takes   | 201    |
      | "0019.99"   | takes   | 201    |
      | "19.999"    | refuses | 422    |
      | "-1"        | refuses | 422    |
      | -1          | refuses | 422    |
      | 100000000   | refuses | 422    |
      | "1e3"       | refuses | 422    |
      | true        | refuses | 422    |

  Scenario: A JSON number with three fraction digits passes a validator; the shop refuses it
    The one gap between the two, and why: JSON Schema cannot say "at most two
    fraction digits" of a number without binary floating point. The
    document says it in its description; the shop answers 422 at the field.
    Given an admin "root" with the password "correct horse battery"
    And "root" has logged in
    When a client reads the OpenAPI document
    Then the "price" of the body of POST "/products" takes 19.999
    When "root" adds a product "Mug" priced 19.999
    Then the response is a problem with status 422

  Scenario: Every example in the document holds to its own schema
    Readers of ReDoc and Swagger UI see the examples; generated clients and
    mock servers use them.
    When a client reads the OpenAPI document
    Then every example in it is valid against the schema it stands beside

  Scenario Outline: The documented example of an answer is what the shop answers: <method> <path> as <caller>, <status>
    Problems match in type, title, status and where the errors point; the
    detail and the request id are the request's own.
    Given an admin "root" with the password "correct horse battery"
    When <caller> sends <method> "<path>" with <body>
    Then the answer is the document's example for <method> "<template>" <status>, but for the detail and the request id

    Examples:
      | method | path                   | template           | caller | body | status |
      | GET    | /health                | /health            | nobody | none | 200    |
      | GET    | /ready                 | /ready             | nobody | none | 200    |
      | GET    | /users                 | /users             | nobody | none | 401    |
      | GET    | /orders/987654         | /orders/{order_id} | root   | none | 404    |
      | POST   | /products              | /products          | root   | {}   | 422    |
      | GET    | /products?per_page=101 | /products          | root   | none | 422    |
      | POST   | /users                 | /users             | root   | {}   | 422    |

  Scenario: What a request may leave out says its default in words, so that generated types leave it optional
    openapi-typescript (and others) make a property with a `default` required
    in the types it writes: right for an answer, wrong for a request.
    When a client reads the OpenAPI document
    Then no property of a request body schema has a default
    And the property "role" of the request body of POST "/users" says that left out, it is "customer"
    And the property "user_id" of the request body of POST "/orders" is not required

  Scenario: Every error is documented as a problem
    When a client reads the OpenAPI document
    Then every 4xx and 5xx answer in it is "application/problem+json" with the schema "ProblemDetails"

  Scenario: A new resource links to the operations on it
    When a client reads the OpenAPI document
    Then the 201 answer of POST "/orders" links to GET, PATCH and DELETE "/orders/{order_id}" by its id
    And the 201 answer of POST "/products" links to GET, PATCH and DELETE "/products/{product_id}" by its id
    And the 201 answer of POST "/users" links to GET, PATCH and DELETE "/users/{user_id}" by its id
    And the 201 answer of POST "/categories" links to GET, PATCH and DELETE "/categories/{category_id}" by its id
    And the 201 answer of POST "/users/me/addresses" links to GET, PATCH and DELETE "/users/me/addresses/{address_id}" by its id

  Scenario: Swagger UI works with no internet access
    When a client sends GET "/docs"
    Then the response status is 200
    And the response header "Content-Type" is "text/html; charset=utf-8"
    And every script and stylesheet the page loads is served by the shop
    And the page loads nothing from another origin

  Scenario: ReDoc works with no internet access
    When a client sends GET "/redoc"
    Then the response status is 200
    And the response header "Content-Type" is "text/html; charset=utf-8"
    And every script and stylesheet the page loads is served by the shop
    And the page loads nothing from another origin
    When a client loads the script that starts ReDoc
    Then it reads "openapi.json"
    When a client sends GET "/docs/shop/redoc.standalone.js"
    Then the response does not mention "cdn.redoc.ly"
    And the response mentions "data:image/svg+xml;base64,"

  Scenario Outline: The browser's icon is the shop's own: <what>
    When a client sends GET "<path>"
    Then the response status is 200
    And the response header "Content-Type" is "image/svg+xml"

    Examples:
      | what                             | path                     |
      | the one every browser asks for   | /favicon.ico             |
      | the one the pages name           | /docs/shop/favicon.svg   |

  Scenario Outline: The pages' own files are served, and nothing else of their packages: <file>
    Swagger UI's package also holds an editor, source maps, a demo's
    initializer and an OAuth redirect page; the shop serves only the files its
    two pages load, to GET and HEAD.
    When a client sends <method> "<path>"
    Then the response status is <status>

    Examples:
      | file                    | method | path                                    | status |
      | Swagger UI's script     | GET    | /docs/swagger-ui/swagger-ui-bundle.js   | 200    |
      | Swagger UI's styles     | HEAD   | /docs/swagger-ui/swagger-ui.css         | 200    |
      | ReDoc's script          | GET    | /docs/shop/redoc.standalone.js          | 200    |
      | the shop's icon         | HEAD   | /docs/shop/favicon.svg                  | 200    |
      | the editor              | GET    | /docs/swagger-ui/swagger-editor.js      | 404    |
      | a source map            | GET    | /docs/swagger-ui/swagger-editor.js.map  | 404    |
      | the demo's initializer  | GET    | /docs/swagger-ui/swagger-initializer.js | 404    |
      | the OAuth redirect page | GET    | /docs/swagger-ui/oauth2-redirect.html   | 404    |
      | a file by another path  | GET    | /docs/shop/../shop/init.js              | 404    |
      | a POST to a file        | POST   | /docs/swagger-ui/swagger-ui.css         | 405    |

  Scenario: The root of the shop leads to its documentation
    When a client sends GET "/"
    Then the response redirects to "/docs"

  Scenario Outline: A documentation page asked for with a trailing slash leads to the page: <path>
    When a client sends GET "<path>"
    Then the response redirects for good to "<page>"

    Examples:
      | path    | page   |
      | /docs/  | /docs  |
      | /redoc/ | /redoc |

  Scenario: Swagger UI authorizes with a token from /login, and keeps it in the page alone
    The token lives in the page's memory: it is not written to the browser's
    storage, where any script of the same origin could read it later.
    When a client reads the OpenAPI document
    Then its security scheme "bearerAuth" is an HTTP bearer JWT
    When a client loads the script that starts Swagger UI
    Then it reads "openapi.json" and keeps the authorization in the page's memory only

  Scenario: Under a mount prefix the documentation points at the prefix
    Given a shop mounted at "/api/shop" inside a Starlette application
    Then GET "/api/shop/openapi.json" on the host application names the server "/api/shop"
    And GET "/api/shop/docs" on the host application answers 200
    And GET "/api/shop/redoc" on the host application answers 200
