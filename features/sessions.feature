Feature: Sessions that end
  A token is a session. Every token a user holds ends together, at once, when
  they log out (POST /logout), when their password changes (by themself or by
  an admin) or when their role changes: from then on each of those tokens is a
  401, and the user logs in again for a fresh one. The check rides on the
  lookup of the user that every request makes anyway. (Each worker process
  remembers a user for at most a second and forgets them at its own next
  write; with several workers, a logout through one shows on the others
  within that second.)

  Background:
    Given an admin "root" with the password "correct horse battery"
    And a customer "ada" with the password "correct horse battery"
    And "ada" has logged in on a phone and on a laptop

  Scenario: Logging out ends every session of the user
    When "ada" logs out on the phone
    Then the response status is 204
    And "ada"'s token on the phone is refused
    And "ada"'s token on the laptop is refused
    And "ada" can log in with the password "correct horse battery"

  Scenario: A fresh login after logging out works
    Given "ada" has logged out on the phone
    When "ada" logs in with the password "correct horse battery"
    Then the response status is 200
    And the new token opens GET "/users/me"

  Scenario: Logging out needs a token
    When nobody sends POST "/logout" with none
    Then the response is a problem with status 401

  Scenario: Logging out ends no one else's sessions
    Given "root" has logged in
    When "ada" logs out on the phone
    Then "root"'s token still opens GET "/users/me"

  Scenario: A new password ends the sessions from before, and the answer says so
    When "ada" on the phone changes the user "ada" with:
      """
      {"password": "analytical engine", "current_password": "correct horse battery"}
      """
    Then the response status is 200
    And the response header "Sessions-Ended" contains "POST /login"
    And "ada"'s token on the phone is refused
    And "ada"'s token on the laptop is refused

  Scenario: An admin's reset of a password ends the user's sessions
    Given "root" has logged in
    When "root" changes the user "ada" with:
      """
      {"password": "set by the admin"}
      """
    Then the response status is 200
    And "ada"'s token on the laptop is refused
    And "root"'s token still opens GET "/users/me"

  Scenario: A new role ends the user's sessions
    Given "root" has logged in
    When "root" changes the user "ada" with:
      """
      {"role": "admin"}
      """
    Then the response status is 200
    And "ada"'s token on the laptop is refused

  Scenario: A new email leaves the sessions alone
    When "ada" on the phone changes the user "ada" with:
      """
      {"email": "ada@lovelace.example", "current_password": "correct horse battery"}
      """
    Then the response status is 200
    And the response has no header "Sessions-Ended"
    And "ada"'s token on the laptop still opens GET "/users/me"

  Scenario: A refused session says why, and what to do
    Given "ada" has logged out on the phone
    When a client sends GET "/users/me" with "ada"'s token on the laptop
    Then the response is a problem with status 401
    And the response header "WWW-Authenticate" is "Bearer"
    And the problem says "Log in again"
