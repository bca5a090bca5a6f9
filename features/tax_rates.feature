@tax_rates
Feature: Tax rates
  An admin says how much tax each class of goods bears in each country:
  19% on standard goods in Germany, 7% on reduced ones, 7.70% in
  Switzerland. An order is taxed at the rates of the country it is shipped
  to, each line at the rate of its product's tax class.

  A tax rate is {"id", "country", "tax_class", "rate", "created_at",
  "updated_at"}:

  - `country`: an assigned ISO 3166-1 alpha-2 code, in upper case ("DE").
  - `tax_class`: 1 to 50 of a-z, 0-9, "-" and "_" ("standard", "reduced",
    "zero"); "standard" when not given, the class every product is in unless
    it says otherwise.
  - `rate`: a percentage from 0 to 100 with at most two decimals, sent as a
    string or a JSON number ("7.7", 7.7) and kept exactly; shown with two
    decimals ("7.70").

  A country has one rate per tax class: a second one is 409, whether made or
  changed into. Tax rates are the admins' business alone: customers are
  refused (403), and callers without a token asked for one (401). A change
  (PATCH) sends at least one of country, tax_class and rate.

  Endpoints: POST and GET /tax-rates (`?country=DE`: that country's only);
  GET, PATCH and DELETE /tax-rates/{id} (who may call each: the matrix of
  features/access.feature). In these scenarios, {DE standard}
  in a path stands for the id of Germany's standard rate.

  Background:
    Given an admin "root" with the password "correct horse battery"
    And a customer "ada" with the password "correct horse battery"
    And "root" has logged in

  Scenario: An admin sets a country's rate; the class is "standard" unless given
    When "root" sends POST "/tax-rates" with:
      """
      {"country": "CH", "rate": "7.7"}
      """
    Then the response status is 201
    And the response is the tax rate of "CH" for "standard" at "7.70"
    And the response header "Location" is the address of the new item under "/tax-rates"
    When "root" sends POST "/tax-rates" with:
      """
      {"country": "CH", "tax_class": "reduced", "rate": 2.5}
      """
    Then the response is the tax rate of "CH" for "reduced" at "2.50"

  Scenario Outline: A rate is a percentage from 0 to 100, kept exactly: <rate> is shown as "<shown>"
    When "root" sends POST "/tax-rates" with:
      """
      {"country": "DE", "rate": <rate>}
      """
    Then the response status is 201
    And the response's "rate" is "<shown>"

    Examples:
      | rate     | shown  |
      | 0        | 0.00   |
      | "0.01"   | 0.01   |
      | 7.7      | 7.70   |
      | "19"     | 19.00  |
      | 33.33    | 33.33  |
      | "100.00" | 100.00 |

  Scenario Outline: A rate outside 0 to 100, or finer than a hundredth of a percent, is 422: <rate>
    When "root" sends POST "/tax-rates" with:
      """
      {"country": "DE", "rate": <rate>}
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc              | msg   |
      | ["body", "rate"] | <msg> |

    Examples:
      | rate     | msg                 |
      | 100.01   | from 0 to 100       |
      | "100.01" | from 0 to 100       |
      | 7.777    | at most two decimal |
      | -1       | from 0 to 100       |
      | "-1"     | from 0 to 100       |
      | "7,7"    | decimal string      |
      | null     | decimal string      |
      | true     | decimal string      |

  Scenario: A country has one rate per tax class
    Given the tax rates:
      | country | tax_class | rate  |
      | DE      | standard  | 19.00 |
      | DE      | reduced   | 7.00  |
    When "root" sends POST "/tax-rates" with:
      """
      {"country": "DE", "rate": "16"}
      """
    Then the response is a problem with status 409
    And the problem says "DE"
    When "root" sends PATCH "/tax-rates/{DE reduced}" with:
      """
      {"tax_class": "standard"}
      """
    Then the response is a problem with status 409
    When "root" sends PATCH "/tax-rates/{DE reduced}" with:
      """
      {"country": "AT"}
      """
    Then the response status is 200
    And the response is the tax rate of "AT" for "reduced" at "7.00"

  Scenario Outline: Each field of a new tax rate is checked: <field>
    When "root" sends POST "/tax-rates" with:
      """
      <body>
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc   | msg   |
      | <loc> | <msg> |

    Examples:
      | field                  | body                                                  | loc                   | msg                  |
      | country missing        | {"rate": "19"}                                        | ["body", "country"]   | required             |
      | country in lowercase   | {"country": "de", "rate": "19"}                       | ["body", "country"]   | upper case           |
      | country unassigned     | {"country": "XX", "rate": "19"}                       | ["body", "country"]   | assigned ISO 3166-1  |
      | rate missing           | {"country": "DE"}                                     | ["body", "rate"]      | required             |
      | tax class in capitals  | {"country": "DE", "tax_class": "Reduced", "rate": 7}  | ["body", "tax_class"] | should match pattern |
      | tax class with a space | {"country": "DE", "tax_class": "re duced", "rate": 7} | ["body", "tax_class"] | should match pattern |
      | tax class empty        | {"country": "DE", "tax_class": "", "rate": 7}         | ["body", "tax_class"] | at least 1           |
      | tax class null         | {"country": "DE", "tax_class": null, "rate": 7}       | ["body", "tax_class"] | valid string         |
      | an unknown field       | {"country": "DE", "rate": 7, "inclusive": true}       | ["body", "inclusive"] | not permitted        |

  Scenario: A tax class is at most 50 characters, of a-z, 0-9, "-" and "_"
    When "root" sets a rate for "DE" in a tax class of 50 "z" characters
    Then the response status is 201
    When "root" sets a rate for "DE" in a tax class of 51 "z" characters
    Then the response is a problem with status 422
    When "root" sends POST "/tax-rates" with:
      """
      {"country": "DE", "tax_class": "zero-rated_2", "rate": 0}
      """
    Then the response status is 201

  Scenario: Tax rates are listed by id; ?country= lists one country's
    Given the tax rates:
      | country | tax_class | rate  |
      | DE      | standard  | 19.00 |
      | CH      | standard  | 7.70  |
      | DE      | reduced   | 7.00  |
    When "root" sends GET "/tax-rates"
    Then the response status is 200
    And the listed tax rates are:
      | country | tax_class | rate  |
      | DE      | standard  | 19.00 |
      | CH      | standard  | 7.70  |
      | DE      | reduced   | 7.00  |
    And the page says page 1 of 20 per page with 3 in total
    When "root" sends GET "/tax-rates?country=DE"
    Then the listed tax rates are:
      | country | tax_class | rate  |
      | DE      | standard  | 19.00 |
      | DE      | reduced   | 7.00  |
    And the page says page 1 of 20 per page with 2 in total
    When "root" sends GET "/tax-rates?country=FR"
    Then the listed tax rates are:
      | country | tax_class | rate |
    When "root" sends GET "/tax-rates?country=de"
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                  | msg                  |
      | ["query", "country"] | upper case           |

  Scenario: An admin reads and changes a rate; leaving a field out keeps it
    Given the tax rates:
      | country | tax_class | rate  |
      | DE      | standard  | 19.00 |
    And 5 minutes pass
    When "root" sends GET "/tax-rates/{DE standard}"
    Then the response is the tax rate of "DE" for "standard" at "19.00"
    When "root" sends PATCH "/tax-rates/{DE standard}" with:
      """
      {"rate": "16"}
      """
    Then the response status is 200
    And the response is the tax rate of "DE" for "standard" at "16.00"
    And the response's "updated_at" is "2026-11-24T10:20:00Z"

  Scenario Outline: A change of a tax rate is checked: <change>
    Given the tax rates:
      | country | tax_class | rate  |
      | DE      | standard  | 19.00 |
    When "root" sends PATCH "/tax-rates/{DE standard}" with:
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
      | a null rate      | {"rate": null}      | ["body", "rate"]      | must not be null |
      | a null tax class | {"tax_class": null} | ["body", "tax_class"] | must not be null |
      | a rate too high  | {"rate": "100.01"}  | ["body", "rate"]      | from 0 to 100    |
      | an unknown field | {"name": "VAT"}     | ["body", "name"]      | not permitted    |

  Scenario: A deleted rate is gone
    Given the tax rates:
      | country | tax_class | rate  |
      | DE      | standard  | 19.00 |
    When "root" sends DELETE "/tax-rates/{DE standard}"
    Then the response status is 204
    When "root" sends GET "/tax-rates/{DE standard}"
    Then the response is a problem with status 404
    When "root" sends GET "/tax-rates/0"
    Then the response is a problem with status 404
