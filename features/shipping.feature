@shipping
Feature: Shipping zones and rates
  An admin says where the shop ships to, and at what price. A shipping zone
  is a named set of countries ("Europe": DE, FR, AT); a zone's rates are the
  ways to ship there ("Standard" at 4.90, "Express" at 12.00). An order
  shipped to a country of a zone may use that zone's rates, and a country is
  in one zone at most, so there is never a doubt which rates apply.

  A rate costs its `price`, or nothing when the order's subtotal after
  discounts is at least its `free_over`. A rate with a `min_subtotal` and/or
  a `max_subtotal` serves only orders whose subtotal after discounts is in
  that range, both ends included ("Heavy goods" from 100.00 up).

  A zone is {"id", "name", "countries", "rates", "created_at", "updated_at"}:

  - `name`: 1 to 100 characters, unique ignoring case.
  - `countries`: 1 to 250 assigned ISO 3166-1 alpha-2 codes in upper case,
    each once, in the order the admin gave them. A country that another zone
    holds is 409, and the problem names it.
  - `rates`: the zone's rates, by id.

  A rate is {"id", "zone_id", "name", "price", "min_subtotal", "max_subtotal",
  "free_over", "created_at", "updated_at"}: money as strings with two
  decimals ("4.90"), sent as a string or a JSON number with at most two; the
  last three are null when the rate has none. `min_subtotal` may not be
  above `max_subtotal`.

  Everyone with a token reads zones and rates (customers choose a rate at
  checkout); only admins change them. A change (PATCH) sends at least one
  field; `countries` replaces the zone's list; a rate's `min_subtotal`,
  `max_subtotal` and `free_over` are removed with null. A zone with rates is
  not deleted (409): delete its rates first. A rate is always reached
  through its own zone: through another zone's path it does not exist (404).

  Endpoints: POST and GET /shipping-zones; GET, PATCH and DELETE
  /shipping-zones/{id}; POST and GET /shipping-zones/{id}/rates; GET, PATCH
  and DELETE /shipping-zones/{id}/rates/{rate_id}. Who may call each is in
  the matrix of features/access.feature. In these scenarios,
  {Europe} in a path or a body stands for the id of the zone "Europe", and
  {Standard} for that of the rate "Standard".

  Background:
    Given an admin "root" with the password "correct horse battery"
    And a customer "ada" with the password "correct horse battery"
    And "root" has logged in
    And "ada" has logged in

  # -- Zones ------------------------------------------------------------------------

  Scenario: An admin makes a zone; its countries keep the order they were given in
    When "root" sends POST "/shipping-zones" with:
      """
      {"name": "Europe", "countries": ["FR", "DE", "AT"]}
      """
    Then the response status is 201
    And the response is the shipping zone "Europe" with the countries "FR", "DE", "AT" and no rates
    And the response header "Location" is the address of the new item under "/shipping-zones"

  Scenario: A country is in one zone at most: another zone claiming it is 409, naming the country
    Given the shipping zones:
      | name   | countries  |
      | Europe | DE, FR, AT |
    When "root" sends POST "/shipping-zones" with:
      """
      {"name": "Alps", "countries": ["CH", "AT"]}
      """
    Then the response is a problem with status 409
    And the problem says "AT"
    And there is no shipping zone "Alps"

  Scenario: Two zones claiming the same country at once: one of them gets it, the other 409
    When two admins make the zones "Alps" and "Mountains" with the country "AT" at once
    Then one of them is 201 and the other a 409 problem that says "AT"
    And the country "AT" is in one zone

  Scenario: Zone names are unique ignoring case
    Given the shipping zones:
      | name     | countries |
      | Europe   | DE        |
      | Americas | US        |
    When "root" sends POST "/shipping-zones" with:
      """
      {"name": "EUROPE", "countries": ["FR"]}
      """
    Then the response is a problem with status 409
    And the problem says "name"
    When "root" sends PATCH "/shipping-zones/{Americas}" with:
      """
      {"name": "europe"}
      """
    Then the response is a problem with status 409
    When "root" sends PATCH "/shipping-zones/{Europe}" with:
      """
      {"name": "EUROPE"}
      """
    Then the response status is 200
    And the response's "name" is "EUROPE"

  Scenario Outline: Each field of a new zone is checked: <field>
    When "root" sends POST "/shipping-zones" with:
      """
      <body>
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc   | msg   |
      | <loc> | <msg> |

    Examples:
      | field                  | body                                                | loc                      | msg                  |
      | name missing           | {"countries": ["DE"]}                               | ["body", "name"]         | required             |
      | name empty             | {"name": "", "countries": ["DE"]}                   | ["body", "name"]         | at least 1           |
      | name blank             | {"name": "  ", "countries": ["DE"]}                 | ["body", "name"]         | blank                |
      | countries missing      | {"name": "Europe"}                                  | ["body", "countries"]    | required             |
      | no country             | {"name": "Europe", "countries": []}                 | ["body", "countries"]    | at least 1           |
      | a country twice        | {"name": "Europe", "countries": ["DE", "FR", "DE"]} | ["body", "countries"]    | "DE" more than once  |
      | a country in lowercase | {"name": "Europe", "countries": ["DE", "fr"]}       | ["body", "countries", 1] | upper case           |
      | an unassigned country  | {"name": "Europe", "countries": ["XX"]}             | ["body", "countries", 0] | assigned ISO 3166-1  |
      | a three-letter country | {"name": "Europe", "countries": ["DEU"]}            | ["body", "countries", 0] | alpha-2              |
      | countries not a list   | {"name": "Europe", "countries": "DE"}               | ["body", "countries"]    | valid list           |
      | an unknown field       | {"name": "Europe", "countries": ["DE"], "eu": true} | ["body", "eu"]           | not permitted        |

  Scenario: Zone names are measured in characters
    When "root" makes a zone for "DE" named with 100 "é" characters
    Then the response status is 201
    When "root" makes a zone for "FR" named with 101 "é" characters
    Then the response is a problem with status 422

  Scenario: Everyone with a token reads a zone, its countries and its rates
    Given the shipping zones:
      | name   | countries |
      | Europe | DE, FR    |
    And the shipping rates:
      | zone   | name     | price | min_subtotal | max_subtotal | free_over |
      | Europe | Standard | 4.90  |              |              | 50.00     |
      | Europe | Express  | 12.00 |              |              |           |
    When "ada" sends GET "/shipping-zones/{Europe}"
    Then the response status is 200
    And the response is the shipping zone "Europe" with the countries "DE", "FR" and the rates "Standard", "Express"

  Scenario: The zones are listed by id, a page at a time, each with its rates
    Given the shipping zones:
      | name     | countries |
      | Europe   | DE, FR    |
      | Americas | US, CA    |
      | Oceania  | AU, NZ    |
    And the shipping rates:
      | zone     | name   | price | min_subtotal | max_subtotal | free_over |
      | Americas | Ground | 9.00  |              |              |           |
    When "ada" sends GET "/shipping-zones?per_page=2"
    Then the response status is 200
    And the listed names are "Europe", "Americas"
    And the listed items have the rates:
      | name     | rates  |
      | Europe   |        |
      | Americas | Ground |
    And the page says page 1 of 2 per page with 3 in total
    And the Link header has first, next and last
    When the client follows next_cursor from GET "/shipping-zones?per_page=1"
    Then the names seen are "Europe", "Americas", "Oceania"

  Scenario Outline: An unknown zone is 404: <path>
    When "ada" sends GET "<path>"
    Then the response is a problem with status 404

    Examples:
      | path                                |
      | /shipping-zones/424242              |
      | /shipping-zones/0                   |
      | /shipping-zones/europe              |
      | /shipping-zones/9223372036854775808 |
      | /shipping-zones/424242/rates        |
      | /shipping-zones/424242/rates/1      |

  Scenario: An admin renames a zone and replaces its countries; the countries let go are free for another zone
    Given the shipping zones:
      | name   | countries  |
      | Europe | DE, FR, AT |
    And 5 minutes pass
    When "root" sends PATCH "/shipping-zones/{Europe}" with:
      """
      {"name": "Western Europe", "countries": ["FR", "BE", "DE"]}
      """
    Then the response status is 200
    And the response is the shipping zone "Western Europe" with the countries "FR", "BE", "DE" and no rates
    And the response's "updated_at" is "2026-11-24T10:20:00Z"
    When "root" sends POST "/shipping-zones" with:
      """
      {"name": "Alps", "countries": ["AT", "CH"]}
      """
    Then the response status is 201

  Scenario: A change may not take a country from another zone
    Given the shipping zones:
      | name   | countries |
      | Europe | DE, FR    |
      | Alps   | AT, CH    |
    When "root" sends PATCH "/shipping-zones/{Europe}" with:
      """
      {"countries": ["DE", "FR", "CH"]}
      """
    Then the response is a problem with status 409
    And the problem says "CH"
    When "ada" sends GET "/shipping-zones/{Europe}"
    Then the response is the shipping zone "Europe" with the countries "DE", "FR" and no rates

  Scenario Outline: A change of a zone is checked: <change>
    Given the shipping zones:
      | name   | countries |
      | Europe | DE        |
    When "root" sends PATCH "/shipping-zones/{Europe}" with:
      """
      <body>
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc   | msg   |
      | <loc> | <msg> |

    Examples:
      | change           | body                | loc                   | msg              |
      | nothing to do    | {}                  | ["body"]              | at least one     |
      | a null name      | {"name": null}      | ["body", "name"]      | must not be null |
      | null countries   | {"countries": null} | ["body", "countries"] | must not be null |
      | no country       | {"countries": []}   | ["body", "countries"] | at least 1       |
      | an unknown field | {"zone": "EU"}      | ["body", "zone"]      | not permitted    |

  Scenario: A zone without rates is deleted, and its countries with it
    Given the shipping zones:
      | name   | countries |
      | Europe | DE, FR    |
    When "root" sends DELETE "/shipping-zones/{Europe}"
    Then the response status is 204
    And there is no shipping zone "Europe"
    And the country "DE" is in no zone
    When "root" sends DELETE "/shipping-zones/{Europe}"
    Then the response is a problem with status 404

  Scenario: A zone with rates is not deleted: 409, and nothing is deleted
    Given the shipping zones:
      | name   | countries |
      | Europe | DE, FR    |
    And the shipping rates:
      | zone   | name     | price | min_subtotal | max_subtotal | free_over |
      | Europe | Standard | 4.90  |              |              |           |
    When "root" sends DELETE "/shipping-zones/{Europe}"
    Then the response is a problem with status 409
    And the problem says "rates"
    When "ada" sends GET "/shipping-zones/{Europe}"
    Then the response is the shipping zone "Europe" with the countries "DE", "FR" and the rates "Standard"

  # -- Rates -------------------------------------------------------------------------

  Scenario: An admin adds a rate to a zone; what it does not say is null
    Given the shipping zones:
      | name   | countries |
      | Europe | DE, FR    |
    When "root" sends POST "/shipping-zones/{Europe}/rates" with:
      """
      {"name": "Standard", "price": "4.9", "free_over": 50}
      """
    Then the response status is 201
    And the response is the rate "Standard" of the zone "Europe"
    And the response's "price" is "4.90"
    And the response's "free_over" is "50.00"
    And the response's "min_subtotal" is null
    And the response's "max_subtotal" is null
    And the response header "Location" is the address of the new item under "/shipping-zones/{Europe}/rates"

  Scenario Outline: A rate serves a range of subtotals, both ends included: <min_subtotal> to <max_subtotal> is <status>
    Given the shipping zones:
      | name   | countries |
      | Europe | DE        |
    When "root" sends POST "/shipping-zones/{Europe}/rates" with:
      """
      {"name": "Heavy goods", "price": "25.00", "min_subtotal": <min_subtotal>, "max_subtotal": <max_subtotal>}
      """
    Then the response status is <status>

    Examples:
      | min_subtotal | max_subtotal | status |
      | "100.00"     | "500.00"     | 201    |
      | "100.00"     | "100.00"     | 201    |
      | "100.00"     | null         | 201    |
      | null         | "99.99"      | 201    |
      | "100.00"     | "99.99"      | 422    |

  Scenario Outline: Each field of a new rate is checked: <field>
    Given the shipping zones:
      | name   | countries |
      | Europe | DE        |
    When "root" sends POST "/shipping-zones/{Europe}/rates" with:
      """
      <body>
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc   | msg   |
      | <loc> | <msg> |

    Examples:
      | field                   | body                                                                          | loc                      | msg                    |
      | name missing            | {"price": "4.90"}                                                             | ["body", "name"]         | required               |
      | name empty              | {"name": "", "price": "4.90"}                                                 | ["body", "name"]         | at least 1             |
      | price missing           | {"name": "Standard"}                                                          | ["body", "price"]        | required               |
      | price negative          | {"name": "Standard", "price": "-4.90"}                                        | ["body", "price"]        | from 0 to 99999999.99  |
      | price of three decimals | {"name": "Standard", "price": 4.905}                                          | ["body", "price"]        | at most two decimal    |
      | price null              | {"name": "Standard", "price": null}                                           | ["body", "price"]        | decimal string         |
      | free_over not money     | {"name": "Standard", "price": "4.90", "free_over": "lots"}                    | ["body", "free_over"]    | decimal string         |
      | min above max           | {"name": "Standard", "price": "4.90", "min_subtotal": 20, "max_subtotal": 10} | ["body", "min_subtotal"] | more than max_subtotal |
      | an unknown field        | {"name": "Standard", "price": "4.90", "days": 3}                              | ["body", "days"]         | not permitted          |

  Scenario: The rates of a zone are listed by id
    Given the shipping zones:
      | name     | countries |
      | Europe   | DE        |
      | Americas | US        |
    And the shipping rates:
      | zone     | name     | price | min_subtotal | max_subtotal | free_over |
      | Europe   | Standard | 4.90  |              |              |           |
      | Americas | Ground   | 9.00  |              |              |           |
      | Europe   | Express  | 12.00 |              |              |           |
    When "ada" sends GET "/shipping-zones/{Europe}/rates"
    Then the response status is 200
    And the listed names are "Standard", "Express"
    And the page says page 1 of 20 per page with 2 in total

  Scenario: An admin changes a rate; null removes a limit, and leaving a field out keeps it
    Given the shipping zones:
      | name   | countries |
      | Europe | DE        |
    And the shipping rates:
      | zone   | name     | price | min_subtotal | max_subtotal | free_over |
      | Europe | Standard | 4.90  | 10.00        |              | 50.00     |
    When "root" sends PATCH "/shipping-zones/{Europe}/rates/{Standard}" with:
      """
      {"price": 5.5, "free_over": null}
      """
    Then the response status is 200
    And the response is the rate "Standard" of the zone "Europe"
    And the response's "price" is "5.50"
    And the response's "free_over" is null
    And the response's "min_subtotal" is "10.00"
    When "root" sends PATCH "/shipping-zones/{Europe}/rates/{Standard}" with:
      """
      {"max_subtotal": "9.99"}
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                      | msg                    |
      | ["body", "min_subtotal"] | more than max_subtotal |

  Scenario Outline: A change of a rate is checked: <change>
    Given the shipping zones:
      | name   | countries |
      | Europe | DE        |
    And the shipping rates:
      | zone   | name     | price | min_subtotal | max_subtotal | free_over |
      | Europe | Standard | 4.90  |              |              |           |
    When "root" sends PATCH "/shipping-zones/{Europe}/rates/{Standard}" with:
      """
      <body>
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc   | msg   |
      | <loc> | <msg> |

    Examples:
      | change           | body                  | loc                 | msg              |
      | nothing to do    | {}                    | ["body"]            | at least one     |
      | a null price     | {"price": null}       | ["body", "price"]   | must not be null |
      | a null name      | {"name": null}        | ["body", "name"]    | must not be null |
      | an unknown field | {"zone_id": {Europe}} | ["body", "zone_id"] | not permitted    |

  Scenario Outline: A rate is reached through its own zone only: <method> through another zone is 404
    Given the shipping zones:
      | name     | countries |
      | Europe   | DE        |
      | Americas | US        |
    And the shipping rates:
      | zone   | name     | price | min_subtotal | max_subtotal | free_over |
      | Europe | Standard | 4.90  |              |              |           |
    When "root" sends <method> "/shipping-zones/{Americas}/rates/{Standard}" with:
      """
      <body>
      """
    Then the response is a problem with status 404
    When "ada" sends GET "/shipping-zones/{Europe}/rates/{Standard}"
    Then the response is the rate "Standard" of the zone "Europe"

    Examples:
      | method | body              |
      | GET    | {}                |
      | PATCH  | {"price": "1.00"} |
      | DELETE | {}                |

  Scenario: Once its rates are deleted, a zone can be deleted
    Given the shipping zones:
      | name   | countries |
      | Europe | DE        |
    And the shipping rates:
      | zone   | name     | price | min_subtotal | max_subtotal | free_over |
      | Europe | Standard | 4.90  |              |              |           |
    When "root" sends DELETE "/shipping-zones/{Europe}/rates/{Standard}"
    Then the response status is 204
    When "ada" sends GET "/shipping-zones/{Europe}/rates/{Standard}"
    Then the response is a problem with status 404
    When "root" sends DELETE "/shipping-zones/{Europe}"
    Then the response status is 204
