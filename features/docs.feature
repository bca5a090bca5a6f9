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

  Scenario: The document describes exactly the routes the shop serves (its pages' own files aside)
    When a client reads the OpenAPI document
    Then its operations are exactly the shop's routes and their methods

  Scenario Outline: <method> <path> is documented, <security>
    When a client reads the OpenAPI document
    Then it documents <method> "<path>" with the statuses <statuses>
    And it says <method> "<path>" is <security>

    Examples:
      | method | path                   | security                 | statuses                               |
      | POST   | /login                 | open to everyone         | 200 400 401 413 415 422 429 503        |
      | POST   | /logout                | for a bearer token       | 204 401                                |
      | GET    | /health                | open to everyone         | 200                                    |
      | GET    | /ready                 | open to everyone         | 200 503                                |
      | GET    | /openapi.json          | open to everyone         | 200                                    |
      | GET    | /docs                  | open to everyone         | 200                                    |
      | GET    | /redoc                 | open to everyone         | 200                                    |
      | GET    | /                      | open to everyone         | 302                                    |
      | GET    | /metrics               | open to everyone         | 200 401 404                            |
      | POST   | /users                 | for a bearer token       | 201 400 401 403 409 413 415 422 429 503 |
      | GET    | /users                 | for a bearer token       | 200 401 403 422                        |
      | GET    | /users/me              | for a bearer token       | 200 401                                |
      | GET    | /users/{user_id}       | for a bearer token       | 200 401 404                            |
      | PATCH  | /users/{user_id}       | for a bearer token       | 200 400 401 403 404 409 413 415 422 429 503 |
      | DELETE | /users/{user_id}       | for a bearer token       | 204 401 404 409                        |
      | POST   | /products              | for a bearer token       | 201 400 401 403 409 413 415 422        |
      | GET    | /products              | for a bearer token       | 200 401 422                            |
      | GET    | /products/{product_id} | for a bearer token       | 200 401 404                            |
      | PATCH  | /products/{product_id} | for a bearer token       | 200 400 401 403 404 409 412 413 415 422 |
      | DELETE | /products/{product_id} | for a bearer token       | 204 401 403 404                        |
      | POST   | /orders                | for a bearer token       | 201 400 401 403 409 413 415 422        |
      | GET    | /orders                | for a bearer token       | 200 401 403 422                        |
      | GET    | /orders/{order_id}     | for a bearer token       | 200 401 404                            |
      | PATCH  | /orders/{order_id}     | for a bearer token       | 200 400 401 403 404 409 413 415 422    |
      | DELETE | /orders/{order_id}     | for a bearer token       | 204 401 403 404 409                    |

  Scenario: With open registration, creating a user needs no token
    Given registration is open
    When a client reads the OpenAPI document
    Then it says POST "/users" is open to everyone, a token optional

  Scenario: With a public catalogue, reading products needs no token
    Given the catalogue is public
    When a client reads the OpenAPI document
    Then it says GET "/products" is open to everyone, a token optional
    And it says GET "/products/{product_id}" is open to everyone, a token optional
    And it says POST "/products" is for a bearer token

  Scenario: A request body is documented by the schema that validates it
    When a client reads the OpenAPI document
    Then the body of POST "/products" requires "name", "price", "stock" and allows no other fields
    And the body of POST "/orders" requires "items" and allows no other fields
    And the body of PATCH "/products/{product_id}" requires nothing and allows no other fields

  Scenario: Money is a two-decimal string in answers, a string or a number in requests
    When a client reads the OpenAPI document
    Then the schema "Product" has "price" as a string matching "^[0-9]+\.[0-9]{2}$"
    And the body of POST "/products" takes "price" as a string or a number

  Scenario: Every error is documented as a problem
    When a client reads the OpenAPI document
    Then every 4xx and 5xx answer in it is "application/problem+json" with the schema "ProblemDetails"

  Scenario: A new resource links to the operations on it
    When a client reads the OpenAPI document
    Then the 201 answer of POST "/orders" links to GET, PATCH and DELETE "/orders/{order_id}" by its id
    And the 201 answer of POST "/products" links to GET, PATCH and DELETE "/products/{product_id}" by its id
    And the 201 answer of POST "/users" links to GET, PATCH and DELETE "/users/{user_id}" by its id

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

  Scenario Outline: The pages' own files are served, and nothing else of their packages: <file>
    Swagger UI's package also holds an editor, source maps, a demo's
    initializer and an OAuth redirect page; the shop serves only the files its
    two pages load, to GET and HEAD.
    When a client sends <method> "<path>"
    Then the response status is <status>

    Examples:
      | file                        | method | path                                    | status |
      | Swagger UI's script         | GET    | /docs/swagger-ui/swagger-ui-bundle.js   | 200    |
      | Swagger UI's styles         | HEAD   | /docs/swagger-ui/swagger-ui.css         | 200    |
      | ReDoc's script              | GET    | /docs/shop/redoc.standalone.js          | 200    |
      | the editor                  | GET    | /docs/swagger-ui/swagger-editor.js      | 404    |
      | a source map                | GET    | /docs/swagger-ui/swagger-editor.js.map  | 404    |
      | the demo's initializer      | GET    | /docs/swagger-ui/swagger-initializer.js | 404    |
      | the OAuth redirect page     | GET    | /docs/swagger-ui/oauth2-redirect.html   | 404    |
      | a file by another path      | GET    | /docs/shop/../shop/init.js              | 404    |
      | a POST to a file            | POST   | /docs/swagger-ui/swagger-ui.css         | 405    |

  Scenario: The root of the shop leads to its documentation
    When a client sends GET "/"
    Then the response redirects to "/docs"

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
