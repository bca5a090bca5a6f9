Feature: Logging in
  A user trades a username and password for a bearer token at POST /login.
  The token is a JWT signed with HS256 that lasts JWT_EXPIRES_SECONDS (4 hours
  by default). A wrong password and an unknown username get the same answer.

  Background:
    Given a customer "ada" with the password "correct horse battery"

  Scenario: The right password gives a bearer token
    When "ada" logs in with the password "correct horse battery"
    Then the response status is 200
    And the response has a bearer token that expires in 14400 seconds

  Scenario Outline: A wrong password and an unknown user get the same 401
    When "<username>" logs in with the password "<password>"
    Then the response is a problem with status 401
    And the response header "WWW-Authenticate" is "Bearer"
    And the problem says "username or password is not correct"

    Examples:
      | username | password              |
      | ada      | wrong horse battery   |
      | bob      | correct horse battery |
      | ADA      | wrong horse battery   |
