Feature: Browser protections and cross-origin requests
  Every answer tells browsers not to guess its type (`X-Content-Type-Options:
  nosniff`) and carries a Content-Security-Policy. API answers are data, so
  their policy lets nothing load and nothing frame them; the documentation
  pages at /docs and /redoc may load only the shop's own scripts, styles and
  images, and run no inline script.

  Scripts on other sites may read the API's answers only when their origin is
  listed in the setting CORS_ORIGINS (comma-separated; empty by default, so
  none may). A listed origin may send a token and a JSON body, and may read
  the X-Request-ID of each answer.

  Scenario Outline: Every answer says nosniff and lets nothing load: <what>
    When a client sends GET "<path>"
    Then the response status is <status>
    And the response header "X-Content-Type-Options" is "nosniff"
    And the response header "Content-Security-Policy" is "default-src 'none'; frame-ancestors 'none'"

    Examples:
      | what                  | path          | status |
      | a health check        | /health       | 200    |
      | an unknown path       | /nowhere      | 404    |
      | a request for a token | /products     | 401    |
      | the OpenAPI document  | /openapi.json | 200    |

  Scenario: The documentation page may load only the shop's own files
    When a client sends GET "/docs"
    Then the response status is 200
    And the response header "X-Content-Type-Options" is "nosniff"
    And the response header "Content-Security-Policy" is "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    And every script and stylesheet the page loads is served by the shop
    And the page has no inline script

  Scenario: The reference page may load only the shop's own files
    ReDoc styles itself with style elements it writes, and searches in a
    worker it makes from its own script: the policy allows those, and nothing
    from elsewhere.
    When a client sends GET "/redoc"
    Then the response status is 200
    And the response header "Content-Security-Policy" is "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; worker-src blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    And every script and stylesheet the page loads is served by the shop
    And the page has no inline script

  Scenario: Without CORS_ORIGINS no other site may read the answers
    When a client sends GET "/health" with the header "Origin: https://shop.example"
    Then the response status is 200
    And the response has no header "Access-Control-Allow-Origin"

  Scenario: A listed origin may read the answers and their request id
    Given the shop lets "https://shop.example" call it from a browser
    When a client sends GET "/health" with the header "Origin: https://shop.example"
    Then the response header "Access-Control-Allow-Origin" is "https://shop.example"
    And the response header "Access-Control-Expose-Headers" contains "X-Request-ID"
    And the response header "Vary" contains "Origin"

  Scenario: An origin that is not listed may not
    Given the shop lets "https://shop.example" call it from a browser
    When a client sends GET "/health" with the header "Origin: https://evil.example"
    Then the response status is 200
    And the response has no header "Access-Control-Allow-Origin"

  Scenario: A listed origin's browser may send a token and a JSON body
    Given the shop lets "https://shop.example" call it from a browser
    When a browser at "https://shop.example" asks whether it may POST "/orders" with the headers "Authorization, Content-Type"
    Then the response status is 200
    And the response header "Access-Control-Allow-Origin" is "https://shop.example"
    And the response header "Access-Control-Allow-Methods" contains "POST"
    And the response header "Access-Control-Allow-Headers" contains "Authorization"
    And the response header "Access-Control-Allow-Headers" contains "Content-Type"

  Scenario: An origin that is not listed is not told it may
    Given the shop lets "https://shop.example" call it from a browser
    When a browser at "https://evil.example" asks whether it may POST "/orders" with the headers "Authorization, Content-Type"
    Then the response has no header "Access-Control-Allow-Origin"
    And the response has no header "Access-Control-Allow-Headers"
