Feature: Logging in and bearer tokens
  A user trades a username and password for a bearer token at POST /login.
  The token is a JWT signed with HS256 with the claims sub (the user id), role,
  iat, exp and jti, and lasts JWT_EXPIRES_SECONDS (4 hours by default). Every
  endpoint but /login, /health, /ready, /metrics, /openapi.json, /docs and /redoc wants
  `Authorization: Bearer <token>`; any token the shop did not issue, or no
  longer honours, is a 401 with `WWW-Authenticate: Bearer`. What a token may do
  is decided by its user as stored now, not by the role written in it. (Each
  worker process remembers a user's role for at most a second, and forgets it
  at its own next write; with several workers, a demotion or deletion made
  through one shows on the others within that second.)

  Background:
    Given a customer "ada" with the password "correct horse battery"

  Scenario: The right password gives a bearer token that lasts four hours
    When "ada" logs in with the password "correct horse battery"
    Then the response status is 200
    And the response has a bearer token that expires in 14400 seconds

  Scenario: Usernames are matched ignoring case
    When "ADA" logs in with the password "correct horse battery"
    Then the response status is 200

  Scenario Outline: A wrong password and an unknown user get the same 401
    When "<username>" logs in with the password "<password>"
    Then the response is a problem with status 401
    And the response header "WWW-Authenticate" is "Bearer"
    And the problem says "username or password is not correct"

    Examples:
      | username | password              |
      | ada      | wrong horse battery   |
      | bob      | correct horse battery |

  Scenario: A token opens the endpoints that need one
    Given "ada" has logged in
    When a client sends GET "/users/me"
    Then the response status is 200

  Scenario: No cache keeps a login's answer: it is a token
    When "ada" logs in with the password "correct horse battery"
    Then the response status is 200
    And the response header "Cache-Control" is "no-store"

  Scenario: No cache keeps an answer given for a token
    An answer to a request that sent a token is that user's alone: it says
    `Cache-Control: no-store`, so no browser or proxy keeps it. Anonymous
    answers say nothing of caching.
    Given "ada" has logged in
    When a client sends GET "/users/me"
    Then the response status is 200
    And the response header "Cache-Control" is "no-store"
    When a client sends GET "/users/me" presenting the Authorization header "Bearer not-a-jwt"
    Then the response header "Cache-Control" is "no-store"
    When a client sends GET "/health" presenting no Authorization header
    Then the response has no header "Cache-Control"

  Scenario Outline: A request without a valid token is 401 with WWW-Authenticate
    Given "ada" has logged in
    When a client sends GET "/users/me" presenting <credentials>
    Then the response is a problem with status 401
    And the response header "WWW-Authenticate" is "Bearer"

    Examples:
      | credentials                                      |
      | no Authorization header                          |
      | the Authorization header "Basic YWRhOnNlY3JldA==" |
      | the Authorization header "Token abc"             |
      | the Authorization header "Bearer"                |
      | the Authorization header "Bearer not-a-jwt"      |
      | the Authorization header "Bearer a.b.c"          |
      | a token that expired a minute ago                |
      | a token that expired a second ago                |
      | a token whose payload was changed                |
      | a token signed with another key                  |
      | a token with "alg" none                          |
      | a token signed with HS512 and the right key      |
      | a token without "exp"                            |
      | a token whose "sub" is not a user id             |
      | a token whose "sub" is "9223372036854775808"     |
      | a token whose "sub" is " {ada}"                  |
      | a token whose "sub" is "0{ada}"                  |

  Scenario Outline: Endpoints open to everyone ignore a token sent along: <path>
    When a client sends GET "<path>" with the header "Authorization: Bearer not-a-jwt"
    Then the response status is 200

    Examples:
      | path          |
      | /health       |
      | /ready        |
      | /openapi.json |
      | /docs         |
      | /redoc        |

  Scenario: A stale token sent along does not stop a new login
    When "ada" logs in with the password "correct horse battery" sending the header "Authorization: Bearer not-a-jwt"
    Then the response status is 200

  Scenario: A token of a user that was since deleted is 401
    Given "ada" has logged in
    And "ada" has been deleted
    When a client sends GET "/users/me"
    Then the response is a problem with status 401

  Scenario: A deleted user's token stays refused when new users arrive
    Given "ada" has logged in
    And "ada" has been deleted
    And an admin "eve" with the password "correct horse battery"
    When a client sends GET "/users/me"
    Then the response is a problem with status 401

  Scenario: A token's powers follow the user as stored now
    Given an admin "root" with the password "correct horse battery"
    And "root" has logged in
    And "root" has been made a customer
    When a client sends GET "/users"
    Then the response is a problem with status 403

  # -- Guessing passwords ------------------------------------------------------
  # Five failures for one username from one client address within 15 minutes
  # lock that username for that client until the window passes. Another
  # client with the right password still gets in, so a stranger cannot lock
  # anyone out. A client that fails for more than ten different usernames
  # within 15 minutes is refused for every username until the window passes
  # (clients on the server's own machine excepted: behind a proxy, set
  # FORWARDED_ALLOW_IPS so the shop sees who the client is). A wrong
  # current_password counts as a failed login.

  Scenario: Five failed logins lock the username for 15 minutes
    Given "ada" has failed to log in 5 times
    When "ada" logs in with the password "correct horse battery"
    Then the response is a problem with status 429
    And the response header "Retry-After" is "900"

  Scenario: The right password from another address still logs in
    Given "ada" has failed to log in 5 times from 203.0.113.9
    When "ada" logs in with the password "correct horse battery" from 198.51.100.7
    Then the response status is 200
    When "ada" logs in with the password "correct horse battery" from 203.0.113.9
    Then the response is a problem with status 429

  Scenario: A client that fails across many usernames is refused for a while
    Given a customer "bob" with the password "correct horse battery"
    And the client at 203.0.113.9 has failed to log in as 10 different users
    When "ada" logs in with the password "not the password" from 203.0.113.9
    Then the response is a problem with status 429
    And the response header "Retry-After" is "900"
    When "bob" logs in with the password "correct horse battery" from 203.0.113.9
    Then the response is a problem with status 429
    When "bob" logs in with the password "correct horse battery" from 198.51.100.7
    Then the response status is 200

  Scenario: Failed logins older than the window are purged
    Given "ada" has failed to log in 3 times
    And the client at 203.0.113.9 has failed to log in as 4 different users
    And 16 minutes pass
    When "ada" logs in with the password "correct horse battery"
    Then the response status is 200
    And the database holds no failed login older than 15 minutes

  Scenario: Four failed logins do not lock the username
    Given "ada" has failed to log in 4 times
    When "ada" logs in with the password "correct horse battery"
    Then the response status is 200

  Scenario: The lock ends when the window passes
    Given "ada" has failed to log in 5 times
    And 10 minutes pass
    When "ada" logs in with the password "correct horse battery"
    Then the response is a problem with status 429
    And the response header "Retry-After" is "300"
    When 5 more minutes pass
    And "ada" logs in with the password "correct horse battery"
    Then the response status is 200

  Scenario: Failures of one username do not lock another
    Given a customer "bob" with the password "correct horse battery"
    And "ada" has failed to log in 5 times
    When "bob" logs in with the password "correct horse battery"
    Then the response status is 200

  Scenario: A success clears the failures counted so far
    Given "ada" has failed to log in 4 times
    And "ada" logs in with the password "correct horse battery"
    And "ada" has failed to log in 4 times
    When "ada" logs in with the password "correct horse battery"
    Then the response status is 200

  Scenario: Wrong current passwords count as failed logins
    A stolen token must not become a way to guess the password: every
    `current_password` sent to PATCH /users/{id} counts in the same rule.
    Given "ada" has logged in
    And "ada" has sent a wrong current password 3 times
    And "ada" has failed to log in 2 times
    When "ada" logs in with the password "correct horse battery"
    Then the response is a problem with status 429

  Scenario: After five wrong guesses, even the right current password is refused for a while
    Given "ada" has logged in
    And "ada" has sent a wrong current password 5 times
    When "ada" changes the user "ada" with:
      """
      {"password": "analytical engine", "current_password": "correct horse battery"}
      """
    Then the response is a problem with status 429
    And the response header "Retry-After" is "900"
    When 15 more minutes pass
    Then "ada" can log in with the password "correct horse battery"

  Scenario: Worker processes share the count through the database
    Given a second shop on the same database
    And "ada" has failed to log in 3 times on the first shop
    And "ada" has failed to log in 2 times on the second shop
    When "ada" logs in with the password "correct horse battery" on the first shop
    Then the response is a problem with status 429

  Scenario: With REDIS_URL set, worker processes share the count through Redis
    Given two shops on the same database that count failures in Redis
    And "ada" has failed to log in 3 times on the first shop
    And "ada" has failed to log in 2 times on the second shop
    When "ada" logs in with the password "correct horse battery" on the second shop
    Then the response is a problem with status 429
    And the database holds no failed login for "ada"
