Feature: HEAD requests
  Every address that answers GET also answers HEAD, as HTTP asks: the same
  status and headers (ETag, Link, X-Total-Count, Content-Length...) with no
  body. Link checkers, caches and clients use it to see whether something is
  there, or has changed, without downloading it. HEAD asks for what GET
  would, so it needs the same token GET needs.

  Background:
    Given an admin "root" with the password "correct horse battery"
    And the product "Teapot" priced "19.99" with 12 in stock

  Scenario Outline: HEAD <path> answers as GET does, without the body
    Given "root" has logged in
    When "root" sends GET "<path>" and then HEAD "<path>"
    Then both answers have the status <status> and the same headers
    And the HEAD answer has no body and the GET answer's Content-Length

    Examples:
      | path               | status |
      | /products          | 200    |
      | /products/{Teapot} | 200    |
      | /users             | 200    |
      | /users/me          | 200    |
      | /orders            | 200    |
      | /health            | 200    |
      | /ready             | 200    |
      | /openapi.json      | 200    |
      | /docs              | 200    |
      | /products/424242   | 404    |

  Scenario: HEAD needs the token GET needs
    When a client sends HEAD "/products"
    Then the response status is 401
    And the response header "WWW-Authenticate" is "Bearer"
    And the response has no body

  Scenario: HEAD with If-None-Match is 304 while the product is unchanged
    Given "root" has logged in
    And "root" has read the product "Teapot" and kept its ETag
    When "root" sends HEAD for the product "Teapot" with If-None-Match the kept ETag
    Then the response status is 304
    And the response header "ETag" is the kept ETag
