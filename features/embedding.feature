Feature: Embedding the shop in other ASGI applications
  `shop.create_app(settings)` builds an independent Falcon ASGI app. It owns
  its database engine, opened at ASGI lifespan startup and disposed at
  shutdown, and shares nothing with other apps: two shops on two databases
  live side by side in one process. Mounted under a path prefix inside another
  ASGI application, the shop serves its API there. Importing `shop` does
  nothing by itself: no database, no file, no log sink.

  Scenario: Two shops in one process keep to their own databases
    Given two shops, "north" and "south", on two databases
    And an admin "ada" with the password "correct horse battery" in the "north" shop
    Then "ada" can log in to the "north" shop
    But "ada" cannot log in to the "south" shop

  Scenario: Stopping one shop leaves the other serving
    Given two shops, "north" and "south", on two databases
    When the "north" shop shuts down
    Then the "south" shop is ready

  Scenario: One shop losing its database does not affect the other
    Given two shops, "north" and "south", where the "south" database cannot be reached
    Then the "north" shop is ready
    And the "south" shop is not ready

  Scenario: A shop mounted under a prefix serves its API there
    Given a shop mounted at "/api/shop" inside a Starlette application
    And an admin "ada" with the password "correct horse battery" in the mounted shop
    Then GET "/api/shop/health" on the host application answers 200
    And GET "/api/shop/ready" on the host application answers 200
    And "ada" can log in through "/api/shop/login"
    And GET "/api/shop/nowhere" on the host application answers a 404 problem
    And GET "/health" on the host application answers 404

  Scenario: Importing shop has no side effects
    When a new Python process imports shop in an empty directory
    Then no file was created
    And no log sink was added
