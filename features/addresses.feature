Feature: The addresses the shop writes into its answers
  Some answers carry absolute URLs: `Location` after a create, `Link` on every
  list. By default they are built from the address the client used (its Host
  header, and the scheme a trusted proxy reports). A shop with a public
  address sets PUBLIC_BASE_URL (such as `https://shop.example/api`): every
  absolute URL is built from it then, whatever a client writes in Host.

  A Host header that is not a host name or address, with an optional port, is
  refused with 400 before anything else happens.

  Scenario: By default, links name the address the client used
    Given an admin "root" with the password "correct horse battery"
    And "root" has logged in
    When "root" adds a product "Mug" priced "4.50" sending the header "Host: shop.local:8000"
    Then the response status is 201
    And the response header "Location" starts with "http://shop.local:8000/products/"

  Scenario: With PUBLIC_BASE_URL, no Host header decides the links
    Given the shop's PUBLIC_BASE_URL is "https://shop.example/api"
    And an admin "root" with the password "correct horse battery"
    And "root" has logged in
    When "root" adds a product "Mug" priced "4.50" sending the header "Host: evil.example"
    Then the response status is 201
    And the response header "Location" starts with "https://shop.example/api/products/"
    When a client sends GET "/products?per_page=1" with the header "Host: evil.example"
    Then the response status is 200
    And the response header "Link" contains "<https://shop.example/api/products?"
    And the response header "Link" does not contain "evil.example"

  Scenario Outline: A malformed Host header is refused: <host>
    When a client sends GET "/health" with the header "Host: <host>"
    Then the response is a problem with status 400
    And the problem says "Host"

    Examples:
      | host                  |
      | evil.example/path     |
      | evil.example:80:80    |
      | a b                   |
      | evil.example:port     |
      | <script>              |
      | evil.example@attacker |

  Scenario Outline: A well-formed Host header is fine: <host>
    When a client sends GET "/health" with the header "Host: <host>"
    Then the response status is 200

    Examples:
      | host                  |
      | shop.example          |
      | shop.example:8443     |
      | 127.0.0.1:8000        |
      | [::1]:8000            |
      | xn--bcher-kva.example |
