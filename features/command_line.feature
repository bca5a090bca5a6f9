Feature: The shop command
  `shop` runs the service and looks after its database: `serve` (applying
  pending migrations first; `--demo` seeds an admin, a customer and a
  catalogue on an empty database and prints their credentials), `migrate`,
  `create-admin` and `seed`. Every command explains itself with --help, and
  `shop --version` says which version is installed (the distribution is
  `falcon-shop`; an installed wheel carries its migrations).
  The seed's own route keeps working too: `alembic upgrade head`, then
  `uvicorn asgi:application`.

  Scenario Outline: Every command explains itself
    When the operator runs "<command> --help"
    Then the command succeeds
    And its output mentions "<mentions>"

    Examples:
      | command               | mentions   |
      | shop                  | serve      |
      | shop serve            | --workers  |
      | shop migrate          | migration  |
      | shop create-admin     | --username |
      | shop seed             | --products |
      | shop deliver-webhooks | --once     |

  Scenario: shop --version names the installed version
    When the operator runs "shop --version"
    Then the command succeeds
    And its output mentions "shop 0.1.0"

  Scenario Outline: Behind a proxy, forwarded headers count only from trusted addresses (<proxy>)
    FORWARDED_ALLOW_IPS (uvicorn's setting, default 127.0.0.1) names the proxies
    whose X-Forwarded-Proto and X-Forwarded-For the shop believes: then its links
    say https, and its access line names the real client.

    Given the environment sets PUBLIC_CATALOGUE to "true"
    And the environment sets FORWARDED_ALLOW_IPS to "<allowed>"
    When the operator starts "shop serve"
    And a client sends the server GET "/products" with the headers "X-Forwarded-Proto: https" and "X-Forwarded-For: 203.0.113.7"
    Then the Link header of that answer starts with "<link>"
    And the server's access line for it names the client "<client>"

    Examples:
      | proxy                  | allowed   | link             | client      |
      | a trusted proxy        | 127.0.0.1 | <https://        | 203.0.113.7 |
      | an untrusted proxy     | 10.9.9.9  | <http://127.0.0.1 | 127.0.0.1   |

  Scenario: Migrating an empty database creates the schema and says so, and migrating again changes nothing
    Given an empty database
    When the operator runs "shop migrate"
    Then the command succeeds
    And its output names every migration the shop ships, oldest first, and the newest as where the database is
    And the database has the shop's tables
    When the operator runs "shop migrate"
    Then the command succeeds
    And its output is only that the database is up to date

  Scenario: The first admin is made with create-admin and can log in
    When the operator runs "shop create-admin --username root --email root@shop.example --password correct-horse-battery"
    Then the command succeeds
    And "root" can log in with the password "correct-horse-battery" as an admin
    And the password of "root" is stored as Argon2id at RFC 9106's cost: 64 MiB, 3 passes, 4 lanes

  Scenario: A served shop hashes the passwords it is given at the same cost
    Given an empty database
    When the operator starts "shop serve --demo"
    And the demo admin adds the customer "ada" with the password "correct horse battery" through the server
    Then the password of "ada" is stored as Argon2id at RFC 9106's cost: 64 MiB, 3 passes, 4 lanes
    And "ada" logs in to the server with the password "correct horse battery"

  Scenario: On a fresh install create-admin applies the migrations first
    Given an empty database
    When the operator runs "shop create-admin --username root --email root@shop.example --password correct-horse-battery"
    Then the command succeeds
    And the database has the shop's tables
    And the database holds the admin "root"

  Scenario: create-admin reads the password from SHOP_ADMIN_PASSWORD
    Given the environment sets SHOP_ADMIN_PASSWORD to "from-the-environment"
    When the operator runs "shop create-admin --username root --email root@shop.example"
    Then the command succeeds
    And "root" can log in with the password "from-the-environment" as an admin

  Scenario: create-admin refuses a username that is taken, ignoring case
    Given an admin "root" with the password "correct horse battery"
    When the operator runs "shop create-admin --username ROOT --email other@shop.example --password another-password"
    Then the command fails with one line that says "already exists"

  Scenario: create-admin refuses a bad email or a short password
    When the operator runs "shop create-admin --username root --email not-an-email --password correct-horse-battery"
    Then the command fails with one line that says "email"
    When the operator runs "shop create-admin --username root --email root@shop.example --password short"
    Then the command fails with one line that says "password"

  Scenario: seed adds products, customers and orders in bulk
    When the operator runs "shop seed --products 120 --users 7 --orders 15"
    Then the command succeeds
    And the database holds 120 products, 7 users and 15 orders
    And every seeded order has lines and a total equal to the sum of its lines

  Scenario: seed makes a catalogue like a shop's: categories, variants, pictures, a ledger that adds up
    When the operator runs "shop seed --products 120 --categories 30"
    Then the command succeeds
    And the database holds 120 products in 30 categories, 3 of them at the top
    And every product is in one category below the top, with two https pictures
    And every fourth product comes in six variants, the others in one
    And every variant's stock movements add up to its stock

  Scenario: seed names the customers it made, who log in with the password it prints
    Given an admin "root" with the password "correct horse battery"
    When the operator runs "shop seed --products 3 --users 2"
    Then the command succeeds
    And its output mentions "Seeded customers log in as user2 to user3 with the password 'seeded-user-password'."
    And "user2" can log in with the password "seeded-user-password"
    And "user3" can log in with the password "seeded-user-password"

  Scenario: On a fresh install seed applies the migrations first
    Given an empty database
    When the operator runs "shop seed --products 5"
    Then the command succeeds
    And the database has the shop's tables
    And the database holds 5 products

  Scenario: serve --demo starts a shop with demo data and prints the credentials
    Given an empty database
    When the operator starts "shop serve --demo"
    Then the server answers GET "/health" with 200
    And the server's output shows the demo credentials
    And the demo admin can log in to the server
    And the server's log has an access line for GET "/health"
    And the server's answers do not name the software behind them
    And the server answers GET "/health%0A2026-11-30%2010:50:00.000%20WARNING%20forged" with 404
    And no line of the server's log starts with "2026-11-30 10:50:00.000 WARNING forged"

  Scenario: The classic route: alembic upgrade head, then uvicorn asgi:application
    Given a .env file with the seed's names SQLITE_URI, ALEMBIC_URI and SECRET_KEY
    When the operator runs "alembic upgrade head"
    Then the command succeeds
    When the operator starts "uvicorn asgi:application"
    Then the server answers GET "/ready" with 200

  Scenario: LOG_JSON gives one flat JSON object per log line, and no secret is logged
    Given an admin "root" with the password "correct horse battery"
    And the environment sets LOG_JSON to "true"
    When the operator starts "shop serve"
    And "root" logs in to the server with the password "correct horse battery"
    Then every line of the server's log is a flat JSON object with a time, a level and a message
    And the server's access line for that login has these fields
      | field       | value                        |
      | time        | an ISO 8601 time in UTC      |
      | level       | INFO                         |
      | logger      | shop.access                  |
      | request_id  | the login's request id       |
      | method      | POST                         |
      | path        | /login                       |
      | status      | 200                          |
      | duration_ms | a number of milliseconds     |
      | user_id     | root's id                    |
      | client      | 127.0.0.1                    |
      | message     | POST /login 200, in words    |
    And the server's log does not contain the password, the token or the secret key
