@address_book
Feature: The address book
  Every user with a token, customer or admin, keeps an address book of their
  own: the addresses they ship to, one of them their default.

  An entry is {"id", "name", "line1", "line2", "city", "postal_code",
  "region", "country", "phone", "is_default"}:

  - `name` (who receives it), `line1` and `city`: 1 to 100 characters.
  - `line2` and `region`: 1 to 100 characters, or null (left out: null).
  - `postal_code`: 1 to 20 characters.
  - `country`: an assigned ISO 3166-1 alpha-2 code in upper case ("DE",
    "GB"; not "de", nor "UK", which is no country's code).
  - `phone`: 1 to 30 characters, or null (left out: null).
  - `is_default`: whether it is the default address; false when left out.

  Lengths count characters, not bytes. Text is kept exactly as sent: nothing
  is trimmed, and text with control or invisible characters (a tab, a
  zero-width space, a right-to-left override) is refused, as blank text is.

  At most one entry is the default: making one the default (on POST or PATCH)
  makes the one before it an ordinary entry; deleting the default leaves the
  book with none. A book holds at most 20 entries: the 21st is 409, also when
  several are added at once. A change (PATCH) sends at least one field and
  gets the whole entry back; `line2`, `region` and `phone` are cleared with
  null, the other fields cannot be null. A field the shop does not know is
  422. Someone else's entry does not exist for the caller (404), admins
  included: an address book is its owner's alone. When a user is deleted,
  their address book goes with them.

  GET /users/me/addresses lists the book a page at a time, by id (the order
  the entries were added in), like every list (page and per_page, or a
  cursor); the default is where it is, flagged by `is_default`.

  Endpoints: GET /users/me/addresses, POST /users/me/addresses,
  GET /users/me/addresses/{id}, PATCH /users/me/addresses/{id},
  DELETE /users/me/addresses/{id}.

  Background:
    Given an admin "root" with the password "correct horse battery"
    And a customer "ada" with the password "correct horse battery"
    And a customer "bob" with the password "correct horse battery"
    And "ada" has logged in
    And "bob" has logged in

  # -- Adding, reading, listing ------------------------------------------------------

  Scenario: A customer adds an address; the answer is the entry, and where it is
    When "ada" adds the address:
      """
      {"name": "Ada Lovelace", "line1": "12 St James's Square", "city": "London",
       "postal_code": "SW1Y 4JH", "country": "GB"}
      """
    Then the response status is 201
    And the response is the address, with its id:
      """
      {"name": "Ada Lovelace", "line1": "12 St James's Square", "line2": null, "city": "London",
       "postal_code": "SW1Y 4JH", "region": null, "country": "GB", "phone": null, "is_default": false}
      """
    And the response header "Location" names the new address
    When "ada" asks for "ada"'s address in "London"
    Then the response status is 200
    And the response is the address, with its id:
      """
      {"name": "Ada Lovelace", "line1": "12 St James's Square", "line2": null, "city": "London",
       "postal_code": "SW1Y 4JH", "region": null, "country": "GB", "phone": null, "is_default": false}
      """

  Scenario: Every field is kept as sent, spaces and all
    When "ada" adds the address:
      """
      {"name": " Ada  Lovelace ", "line1": "Flat 3", "line2": "12 St James's Square", "city": "London",
       "postal_code": "SW1Y 4JH", "region": "Greater London", "country": "GB", "phone": "+44 20 7946 0018",
       "is_default": true}
      """
    Then the response status is 201
    And the response is the address, with its id:
      """
      {"name": " Ada  Lovelace ", "line1": "Flat 3", "line2": "12 St James's Square", "city": "London",
       "postal_code": "SW1Y 4JH", "region": "Greater London", "country": "GB", "phone": "+44 20 7946 0018",
       "is_default": true}
      """

  Scenario: An admin has an address book too
    Given "root" has logged in
    When "root" adds an address in "Berlin"
    Then the response status is 201
    When "root" sends GET "/users/me/addresses"
    Then the listed addresses are in "Berlin"

  Scenario: A customer lists only their own addresses, by id; the default is flagged where it is
    Given "ada" has these addresses:
      | city   | default |
      | Berlin |         |
      | Paris  | yes     |
      | Rome   |         |
    And "bob" has these addresses:
      | city   | default |
      | Madrid | yes     |
    When "ada" sends GET "/users/me/addresses"
    Then the response status is 200
    And the listed addresses are in "Berlin", "Paris", "Rome"
    And the listed defaults are "no", "yes", "no"
    And the page says page 1 of 20 per page with 3 in total
    And the response header "X-Total-Count" is "3"

  Scenario: An empty address book is an empty list
    When "ada" sends GET "/users/me/addresses"
    Then the response status is 200
    And the listed addresses are none
    And the page says page 1 of 20 per page with 0 in total

  Scenario: The address book is listed a page at a time, with links and cursors
    Given "ada" has 7 addresses
    When "ada" sends GET "/users/me/addresses?per_page=3&page=2"
    Then the page says page 2 of 3 per page with 7 in total
    And the Link header has first, prev, next and last
    When the client follows next_cursor from GET "/users/me/addresses?per_page=3"
    Then the addresses seen are the 7 of "ada", in the order they were added

  # -- The default ------------------------------------------------------------------

  Scenario: Making an address the default makes the one before it an ordinary entry
    Given "ada" has these addresses:
      | city   | default |
      | Berlin | yes     |
      | Paris  |         |
    When "ada" changes "ada"'s address in "Paris" with:
      """
      {"is_default": true}
      """
    Then the response status is 200
    And the response's "is_default" is true
    And "ada"'s default address is the one in "Paris"
    When "ada" adds the address:
      """
      {"name": "Ada", "line1": "Via del Corso 1", "city": "Rome", "postal_code": "00186", "country": "IT",
       "is_default": true}
      """
    Then the response status is 201
    And "ada"'s default address is the one in "Rome"

  Scenario: An address stops being the default when told so, and the book has none
    Given "ada" has these addresses:
      | city   | default |
      | Berlin | yes     |
    When "ada" changes "ada"'s address in "Berlin" with:
      """
      {"is_default": false}
      """
    Then the response's "is_default" is false
    And "ada" has no default address

  Scenario: Deleting the default address leaves no default; no other entry takes its place
    Given "ada" has these addresses:
      | city   | default |
      | Berlin |         |
      | Paris  | yes     |
    When "ada" deletes "ada"'s address in "Paris"
    Then the response status is 204
    And the response has no body
    And "ada" has no default address
    When "ada" sends GET "/users/me/addresses"
    Then the listed addresses are in "Berlin"

  Scenario: One customer's default is no other customer's business
    Given "bob" has these addresses:
      | city   | default |
      | Madrid | yes     |
    When "ada" adds the address:
      """
      {"name": "Ada", "line1": "Unter den Linden 1", "city": "Berlin", "postal_code": "10117", "country": "DE",
       "is_default": true}
      """
    Then the response status is 201
    And "bob"'s default address is the one in "Madrid"
    And "ada"'s default address is the one in "Berlin"

  # -- Changing and deleting ----------------------------------------------------------

  Scenario: A change gives back the whole entry; optional fields are cleared with null
    Given "ada" has the address:
      """
      {"name": "Ada", "line1": "Flat 3", "line2": "12 St James's Square", "city": "London",
       "postal_code": "SW1Y 4JH", "region": "Greater London", "country": "GB", "phone": "+44 20 7946 0018"}
      """
    When "ada" changes "ada"'s address in "London" with:
      """
      {"line2": null, "region": null, "phone": null, "postal_code": "SW1Y 4JJ"}
      """
    Then the response status is 200
    And the response is the address, with its id:
      """
      {"name": "Ada", "line1": "Flat 3", "line2": null, "city": "London", "postal_code": "SW1Y 4JJ",
       "region": null, "country": "GB", "phone": null, "is_default": false}
      """

  Scenario Outline: A required field cannot be cleared: null for <field> is 422, and nothing changes
    Given "ada" has these addresses:
      | city   | default |
      | Berlin | yes     |
    When "ada" changes "ada"'s address in "Berlin" with:
      """
      {"<field>": null}
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                 | msg         |
      | ["body", "<field>"] | not be null |
    And "ada"'s address in "Berlin" is as it was

    Examples:
      | field       |
      | name        |
      | line1       |
      | city        |
      | postal_code |
      | country     |
      | is_default  |

  Scenario: A change must change something: {} is 422
    Given "ada" has these addresses:
      | city   | default |
      | Berlin |         |
    When "ada" changes "ada"'s address in "Berlin" with:
      """
      {}
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc      | msg                                                                                            |
      | ["body"] | Give at least one of name, line1, line2, city, postal_code, region, country, phone, is_default |

  Scenario: A change with a field the shop does not know is 422 at that field
    Given "ada" has these addresses:
      | city   | default |
      | Berlin |         |
    When "ada" changes "ada"'s address in "Berlin" with:
      """
      {"city": "Potsdam", "label": "home"}
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc               | msg           |
      | ["body", "label"] | not permitted |
    And "ada"'s address in "Berlin" is as it was

  Scenario: A deleted address is gone
    Given "ada" has these addresses:
      | city   | default |
      | Berlin |         |
    When "ada" deletes "ada"'s address in "Berlin"
    Then the response status is 204
    When "ada" asks for "ada"'s address in "Berlin"
    Then the response is a problem with status 404
    When "ada" deletes "ada"'s address in "Berlin"
    Then the response is a problem with status 404

  # -- At most 20 ------------------------------------------------------------------

  Scenario: An address book holds at most 20 addresses: the 21st is 409
    Given "ada" has 20 addresses
    When "ada" adds an address in "Berlin"
    Then the response is a problem with status 409
    And the problem says "20"
    And "ada"'s address book holds 20 addresses
    When "ada" deletes "ada"'s address in "City 01"
    And "ada" adds an address in "Berlin"
    Then the response status is 201

  Scenario: Addresses added at once still stop at 20
    Given "ada" has 17 addresses
    When "ada" adds 6 addresses at once
    Then 3 of them are added and 3 are refused with 409
    And "ada"'s address book holds 20 addresses

  # -- Whose addresses --------------------------------------------------------------

  Scenario Outline: Someone else's address does not exist for the caller: <caller> <action>
    Given "ada" has these addresses:
      | city   | default |
      | Berlin | yes     |
    And "root" has logged in
    When <request>
    Then the response is a problem with status 404
    And the problem says "No such address."
    And the response does not mention "Berlin"
    And "ada"'s address in "Berlin" is as it was

    Examples:
      | caller | action  | request                                                        |
      | bob    | reads   | "bob" asks for "ada"'s address in "Berlin"                     |
      | bob    | changes | "bob" changes "ada"'s address in "Berlin" to the city "Paris"  |
      | bob    | deletes | "bob" deletes "ada"'s address in "Berlin"                      |
      | root   | reads   | "root" asks for "ada"'s address in "Berlin"                    |
      | root   | changes | "root" changes "ada"'s address in "Berlin" to the city "Paris" |
      | root   | deletes | "root" deletes "ada"'s address in "Berlin"                     |

  Scenario Outline: An address that is not there is 404, whatever the path says: <path>
    When "ada" sends GET "<path>"
    Then the response is a problem with status 404
    And the problem says "No such address."

    Examples:
      | path                                           |
      | /users/me/addresses/424242                     |
      | /users/me/addresses/0                          |
      | /users/me/addresses/-1                         |
      | /users/me/addresses/007                        |
      | /users/me/addresses/home                       |
      | /users/me/addresses/9223372036854775808        |
      | /users/me/addresses/99999999999999999999999999 |

  Scenario Outline: Without a token there is no address book: <method> <path> is 401
    When "nobody" sends <method> "<path>"
    Then the response is a problem with status 401
    And the response header "WWW-Authenticate" starts with "Bearer"

    Examples:
      | method | path                  |
      | GET    | /users/me/addresses   |
      | POST   | /users/me/addresses   |
      | GET    | /users/me/addresses/1 |
      | PATCH  | /users/me/addresses/1 |
      | DELETE | /users/me/addresses/1 |

  Scenario: A deleted user's addresses go with them
    Given "bob" has these addresses:
      | city   | default |
      | Madrid | yes     |
      | Lisbon |         |
    And "root" has logged in
    When "root" deletes the user "bob"
    Then the response status is 204
    And no address of "bob" is left

  # -- What an address may say ----------------------------------------------------------

  Scenario Outline: A country is an assigned ISO 3166-1 alpha-2 code in upper case: "<country>" is <verdict>
    When "ada" adds an address in "<country>" with the country "<country>"
    Then the response status is <status>

    Examples:
      | country | verdict                             | status |
      | DE      | Germany                             | 201    |
      | GB      | the United Kingdom                  | 201    |
      | US      | the United States                   | 201    |
      | de      | refused: lower case                 | 422    |
      | Gb      | refused: not all upper case         | 422    |
      | UK      | refused: no country's code          | 422    |
      | XX      | refused: not assigned               | 422    |
      | XK      | refused: not assigned by ISO 3166-1 | 422    |
      | DEU     | refused: alpha-3, not alpha-2       | 422    |
      | D       | refused: one letter                 | 422    |

  Scenario: A refused country is 422 at "country", and says why
    When "ada" adds an address in "Berlin" with the country "UK"
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                 | msg      |
      | ["body", "country"] | assigned |

  Scenario Outline: Each field is checked: <case>
    When "ada" adds an address with:
      """
      <changes>
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc   | msg   |
      | <loc> | <msg> |
    And "ada"'s address book holds 0 addresses

    Examples:
      | case                         | changes                       | loc                     | msg                |
      | name missing                 | {"name": "leave out"}         | ["body", "name"]        | required           |
      | line1 missing                | {"line1": "leave out"}        | ["body", "line1"]       | required           |
      | city missing                 | {"city": "leave out"}         | ["body", "city"]        | required           |
      | postal_code missing          | {"postal_code": "leave out"}  | ["body", "postal_code"] | required           |
      | country missing              | {"country": "leave out"}      | ["body", "country"]     | required           |
      | name empty                   | {"name": ""}                  | ["body", "name"]        | at least 1         |
      | name blank                   | {"name": "   "}               | ["body", "name"]        | blank              |
      | line2 empty                  | {"line2": ""}                 | ["body", "line2"]       | at least 1         |
      | region blank                 | {"region": "  "}              | ["body", "region"]      | blank              |
      | phone empty                  | {"phone": ""}                 | ["body", "phone"]       | at least 1         |
      | postal_code empty            | {"postal_code": ""}           | ["body", "postal_code"] | at least 1         |
      | name not text                | {"name": 7}                   | ["body", "name"]        | valid string       |
      | city with a tab              | {"city": "Ber\u0009lin"}      | ["body", "city"]        | control characters |
      | line1 with a line break      | {"line1": "3\u000a12 Square"} | ["body", "line1"]       | control characters |
      | name with a zero-width space | {"name": "Ada\u200bLovelace"} | ["body", "name"]        | invisible          |
      | line1 reversed               | {"line1": "Flat \u202e3"}     | ["body", "line1"]       | reordering         |
      | phone with a NUL             | {"phone": "+44\u0000"}        | ["body", "phone"]       | NUL characters     |
      | is_default not a boolean     | {"is_default": "yes"}         | ["body", "is_default"]  | valid boolean      |
      | is_default null              | {"is_default": null}          | ["body", "is_default"]  | valid boolean      |
      | an unknown field             | {"label": "home"}             | ["body", "label"]       | not permitted      |
      | an id                        | {"id": 7}                     | ["body", "id"]          | not permitted      |

  Scenario Outline: Lengths count characters, not bytes: <field> takes <most> "<char>", not one more
    When "ada" adds an address with a <field> of <most> "<char>" characters
    Then the response status is 201
    When "ada" adds an address with a <field> of <too many> "<char>" characters
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                 | msg            |
      | ["body", "<field>"] | at most <most> |

    Examples:
      | field       | most | too many | char |
      | name        | 100  | 101      | é    |
      | line1       | 100  | 101      | 東    |
      | line2       | 100  | 101      | é    |
      | city        | 100  | 101      | ß    |
      | region      | 100  | 101      | é    |
      | postal_code | 20   | 21       | 9    |
      | postal_code | 20   | 21       | é    |
      | phone       | 30   | 31       | 9    |
      | name        | 100  | 101      | 😀    |

  Scenario: A change is checked as a new address is
    Given "ada" has these addresses:
      | city   | default |
      | Berlin |         |
    When "ada" changes "ada"'s address in "Berlin" with:
      """
      {"country": "de", "city": "", "phone": "ext.\u00ad12"}
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                 | msg        |
      | ["body", "country"] | upper case |
      | ["body", "city"]    | at least 1 |
      | ["body", "phone"]   | invisible  |
    And "ada"'s address in "Berlin" is as it was
