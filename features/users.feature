Feature: Users
  A user is {"id", "username", "email", "role", "created_at"}; no response ever
  carries the password or its hash. Usernames are 3 to 50 letters, digits, ".",
  "_" or "-"; usernames and emails are unique ignoring case; passwords are 8 to
  128 characters. Admins manage everyone; a customer sees and changes only
  themself (someone else's account is "not found", never "forbidden").

  Endpoints: POST /users, GET /users, GET /users/me, GET /users/{id},
  PATCH /users/{id}, DELETE /users/{id}.

  Background:
    Given an admin "root" with the password "correct horse battery"
    And a customer "ada" with the password "correct horse battery"

  # -- Creating ---------------------------------------------------------------

  Scenario: An admin creates a customer
    Given "root" has logged in
    When a client sends POST "/users" with the JSON body:
      """
      {"username": "grace", "email": "grace@shop.example", "password": "hopper-1906"}
      """
    Then the response status is 201
    And the response is the user "grace" with the email "grace@shop.example" and the role "customer"
    And the response header "Location" is the new user's address
    And "grace" can log in with the password "hopper-1906"

  Scenario: An admin creates another admin
    Given "root" has logged in
    When a client sends POST "/users" with the JSON body:
      """
      {"username": "linus", "email": "linus@shop.example", "password": "penguins-rule", "role": "admin"}
      """
    Then the response status is 201
    And the response is the user "linus" with the email "linus@shop.example" and the role "admin"

  Scenario Outline: Each field of a new user is checked
    Given "root" has logged in
    When a client sends POST "/users" with the JSON body:
      """
      <body>
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc   | msg   |
      | <loc> | <msg> |
    And no user "<username>" exists

    Examples:
      | body                                                                                  | username | loc                  | msg                   |
      | {"username": "al", "email": "al@shop.example", "password": "long enough"}             | al       | ["body", "username"] | at least 3            |
      | {"username": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "email": "a@shop.example", "password": "long enough"} | aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | ["body", "username"] | at most 50 |
      | {"username": "al ice", "email": "al@shop.example", "password": "long enough"}         | al ice   | ["body", "username"] | pattern               |
      | {"username": "zoë", "email": "zoe@shop.example", "password": "long enough"}           | zoë      | ["body", "username"] | pattern               |
      | {"username": "alice", "email": "not-an-email", "password": "long enough"}             | alice    | ["body", "email"]    | email                 |
      | {"username": "alice", "email": "alice@shop.example", "password": "short"}             | alice    | ["body", "password"] | at least 8            |
      | {"username": "alice", "email": "alice@shop.example", "password": "long enough", "role": "root"} | alice | ["body", "role"] | customer          |
      | {"username": "alice", "email": "alice@shop.example"}                                  | alice    | ["body", "password"] | required              |
      | {"username": "alice", "email": "alice@shop.example", "password": 12345678}            | alice    | ["body", "password"] | valid string          |
      | {"username": "alice", "email": "alice@shop.example", "password": "long enough", "admin": true} | alice | ["body", "admin"] | not permitted    |

  Scenario: A password of 128 characters is accepted, and lengths count characters
    Given "root" has logged in
    When a client creates the user "emoji" with a password of 128 "🔑" characters
    Then the response status is 201

  Scenario: A password of 129 characters is refused
    Given "root" has logged in
    When a client creates the user "emoji" with a password of 129 "a" characters
    Then the response is a problem with status 422

  Scenario Outline: A username or email that is taken, ignoring case, is 409
    Given "root" has logged in
    When a client sends POST "/users" with the JSON body:
      """
      {"username": "<username>", "email": "<email>", "password": "long enough"}
      """
    Then the response is a problem with status 409
    And the problem says "already exists"

    Examples:
      | username | email              |
      | ada      | new@shop.example   |
      | ADA      | new@shop.example   |
      | newbie   | ada@shop.example   |
      | newbie   | ADA@Shop.Example   |

  Scenario: Anyone may register as a customer when registration is open
    Given registration is open
    When a client sends POST "/users" with the JSON body:
      """
      {"username": "grace", "email": "grace@shop.example", "password": "hopper-1906"}
      """
    Then the response status is 201
    And the response is the user "grace" with the email "grace@shop.example" and the role "customer"

  Scenario: Open registration never makes an admin
    Given registration is open
    When a client sends POST "/users" with the JSON body:
      """
      {"username": "grace", "email": "grace@shop.example", "password": "hopper-1906", "role": "admin"}
      """
    Then the response is a problem with status 403
    And no user "grace" exists

  Scenario Outline: Signing up takes a password that is hard to guess: <why>
    With open registration, a password chosen without a token must be at
    least 10 characters, not the username, and not one of the common
    passwords the shop ships a list of (ignoring case).
    Given registration is open
    When a client sends POST "/users" with the JSON body:
      """
      {"username": "grace", "email": "grace@shop.example", "password": "<password>"}
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                   | msg      |
      | ["body", "password"]  | <msg>    |
    And no user "grace" exists

    Examples:
      | why                   | password     | msg                 |
      | too short             | hopper-19    | at least 10         |
      | a common password     | Password123  | common              |
      | a common password     | qwertyuiop   | common              |

  Scenario: A password that is only the username is refused
    Given registration is open
    When a client sends POST "/users" with the JSON body:
      """
      {"username": "gracehopper", "email": "grace@shop.example", "password": "GraceHopper"}
      """
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc                   | msg      |
      | ["body", "password"]  | username |

  Scenario: An admin's new user still takes any password of 8 characters or more
    Given "root" has logged in
    When "root" adds the user "grace" with the password "hopper-1"
    Then the response status is 201

  Scenario: Sign-ups from one address are limited to five an hour
    Given registration is open
    And 5 customers have signed up from 203.0.113.9
    When a client at 203.0.113.9 signs up as "grace"
    Then the response is a problem with status 429
    And the response header "Retry-After" is "3600"
    When a client at 198.51.100.7 signs up as "grace"
    Then the response status is 201
    When 60 minutes pass
    And a client at 203.0.113.9 signs up as "linus"
    Then the response status is 201

  Scenario: Without open registration an anonymous client cannot create a user
    When a client sends POST "/users" with the JSON body:
      """
      {"username": "grace", "email": "grace@shop.example", "password": "hopper-1906"}
      """
    Then the response is a problem with status 401
    And no user "grace" exists

  # -- Reading ----------------------------------------------------------------

  Scenario: A user sees themself at /users/me
    Given "ada" has logged in
    When a client sends GET "/users/me"
    Then the response status is 200
    And the response is the user "ada" with the email "ada@shop.example" and the role "customer"

  Scenario: A customer reads their own account by id
    Given "ada" has logged in
    When "ada" asks for the user "ada"
    Then the response status is 200
    And the response is the user "ada" with the email "ada@shop.example" and the role "customer"

  Scenario: A customer asking for someone else's account is told it does not exist
    Given "ada" has logged in
    When "ada" asks for the user "root"
    Then the response is a problem with status 404

  Scenario: An admin reads any account
    Given "root" has logged in
    When "root" asks for the user "ada"
    Then the response status is 200

  Scenario: An unknown user is 404
    Given "root" has logged in
    When a client sends GET "/users/999999"
    Then the response is a problem with status 404

  Scenario Outline: An id that is not a positive 63-bit integer is 404
    Given "root" has logged in
    When a client sends GET "/users/<id>"
    Then the response is a problem with status 404

    Examples:
      | id                  |
      | 0                   |
      | -1                  |
      | abc                 |
      | 1.5                 |
      | 9223372036854775808 |
      | +1                  |
      | 01                  |
      | %EF%BC%91           |

  Scenario: Admins list users by id, a page at a time
    Given the customers "u1", "u2", "u3", "u4" and "u5"
    And "root" has logged in
    When a client sends GET "/users?per_page=3&page=2"
    Then the response status is 200
    And the listed usernames are "u2", "u3", "u4"
    And the page says page 2 of 3 per page with 7 in total
    And the response header "X-Total-Count" is "7"
    And the Link header has first, prev, next and last

  Scenario: The user list searches usernames and emails, ignoring case
    Given the customers "grace", "gregory" and "linus"
    And "root" has logged in
    When a client sends GET "/users?q=GR"
    Then the listed usernames are "grace", "gregory"

  Scenario: Walking the user list by cursor visits every user once
    Given the customers "u1", "u2", "u3", "u4" and "u5"
    And "root" has logged in
    When the client follows next_cursor from GET "/users?per_page=2"
    Then the usernames seen are "root", "ada", "u1", "u2", "u3", "u4", "u5"

  Scenario Outline: Bad paging values are 422 at that parameter
    Given "root" has logged in
    When a client sends GET "/users?<query>"
    Then the response is a problem with status 422
    And the problem lists these errors:
      | loc   | msg   |
      | <loc> | <msg> |

    Examples:
      | query           | loc                     | msg               |
      | page=0          | ["query", "page"]       | greater than or equal to 1 |
      | page=x          | ["query", "page"]       | whole number      |
      | page=           | ["query", "page"]       | whole number      |
      | per_page=0      | ["query", "per_page"]   | greater than or equal to 1 |
      | per_page=101    | ["query", "per_page"]   | less than or equal to 100 |
      | cursor=garbage  | ["query", "cursor"]     | cursor            |
      | color=red       | ["query", "color"]      | not permitted     |
      | page=1_0        | ["query", "page"]       | whole number      |
      | page=%202       | ["query", "page"]       | whole number      |
      | q=a%00b         | ["query", "q"]          | NUL               |

  # -- Changing ---------------------------------------------------------------

  Scenario: A customer changes their own email, confirming with their password
    Given "ada" has logged in
    When "ada" changes the user "ada" with:
      """
      {"email": "ada@lovelace.example", "current_password": "correct horse battery"}
      """
    Then the response status is 200
    And the response is the user "ada" with the email "ada@lovelace.example" and the role "customer"

  Scenario: A customer changes their own password and logs in with the new one
    Given "ada" has logged in
    When "ada" changes the user "ada" with:
      """
      {"password": "analytical engine", "current_password": "correct horse battery"}
      """
    Then the response status is 200
    And "ada" can log in with the password "analytical engine"
    And "ada" cannot log in with the password "correct horse battery"

  Scenario Outline: Changing one's own email or password needs the current password
    Given "ada" has logged in
    When "ada" changes the user "ada" with:
      """
      <body>
      """
    Then the response is a problem with status <status>
    And "ada" can log in with the password "correct horse battery"

    Examples:
      | body                                                                     | status |
      | {"password": "analytical engine"}                                        | 422    |
      | {"password": "analytical engine", "current_password": "wrong password"}  | 403    |
      | {"email": "x@shop.example", "current_password": "wrong password"}        | 403    |

  Scenario: A customer cannot change their own role
    Given "ada" has logged in
    When "ada" changes the user "ada" with:
      """
      {"role": "admin"}
      """
    Then the response is a problem with status 403
    And "ada" is a customer

  Scenario: A customer cannot change someone else
    Given "ada" has logged in
    When "ada" changes the user "root" with:
      """
      {"email": "mine@shop.example"}
      """
    Then the response is a problem with status 404

  Scenario: An admin promotes a customer and resets their password
    Given "root" has logged in
    When "root" changes the user "ada" with:
      """
      {"role": "admin", "password": "set by the admin"}
      """
    Then the response status is 200
    And "ada" is an admin
    And "ada" can log in with the password "set by the admin"

  Scenario Outline: A change is checked like a new user
    Given "root" has logged in
    When "root" changes the user "ada" with:
      """
      <body>
      """
    Then the response is a problem with status <status>

    Examples:
      | body                           | status |
      | {}                             | 422    |
      | {"email": "nope"}              | 422    |
      | {"password": "short"}          | 422    |
      | {"role": "owner"}              | 422    |
      | {"username": "renamed"}        | 422    |
      | {"email": "ROOT@shop.example"} | 409    |

  Scenario: The last admin cannot be demoted
    Given "root" has logged in
    When "root" changes the user "root" with:
      """
      {"role": "customer"}
      """
    Then the response is a problem with status 409
    And "root" is an admin

  # -- Deleting ---------------------------------------------------------------

  Scenario: An admin deletes a customer
    Given "root" has logged in
    When "root" deletes the user "ada"
    Then the response status is 204
    And no user "ada" exists

  Scenario: A customer deletes their own account
    Given "ada" has logged in
    When "ada" deletes the user "ada"
    Then the response status is 204
    And no user "ada" exists

  Scenario: A customer cannot delete someone else
    Given "ada" has logged in
    When "ada" deletes the user "root"
    Then the response is a problem with status 404
    And the user "root" exists

  Scenario: The last admin cannot be deleted
    Given "root" has logged in
    When "root" deletes the user "root"
    Then the response is a problem with status 409
    And the user "root" exists

  Scenario: An admin who is not the last may be deleted
    Given an admin "second" with the password "correct horse battery"
    And "root" has logged in
    When "root" deletes the user "second"
    Then the response status is 204

  Scenario: A user with orders cannot be deleted, even if the orders were cancelled
    Given "ada" has a cancelled order
    And "root" has logged in
    When "root" deletes the user "ada"
    Then the response is a problem with status 409
    And the problem says "orders"
    And the user "ada" exists

  Scenario: No response about users carries a password or a hash
    Given "root" has logged in
    When a client sends GET "/users"
    Then the response does not mention "password"
    And the response does not mention "argon2"
