Feature: Settings
  The shop reads its settings from the environment and from a `.env` file in
  the directory it starts in: DEBUG, SECRET_KEY, DATABASE_URL,
  JWT_EXPIRES_SECONDS, OPEN_REGISTRATION, PUBLIC_CATALOGUE, CURRENCY, PRICES_INCLUDE_TAX,
  SHOP_COUNTRY, LOG_LEVEL, LOG_JSON,
  CORS_ORIGINS, REDIS_URL, METRICS_TOKEN, PUBLIC_BASE_URL, UNPAID_ORDER_TTL_SECONDS, STRIPE_WEBHOOK_SECRET,
  WEBHOOK_ALLOW_PRIVATE_NETWORKS and WEBHOOK_RETRY_BASE_SECONDS. The older names SQLITE_URI (the database) and
  ALEMBIC_URI (the migrations' database) are still honoured. A missing or bad
  setting stops start-up with one clear line that names it, never a traceback.
  SECRET_KEY signs access tokens, so only what serves the API asks for it:
  `shop migrate`, `shop seed` and `shop create-admin` run without one.

  Scenario Outline: A bad setting stops start-up with one line that names it
    Given the environment sets <name> to "<value>"
    When the operator runs "shop migrate"
    Then the command fails with one line that names <name>

    Examples:
      | name                     | value                                         |
      | DATABASE_URL             | mysql://localhost/shop                        |
      | DATABASE_URL             | not a url                                     |
      | CURRENCY                 | dollars                                       |
      | LOG_LEVEL                | LOUD                                          |
      | LOG_JSON                 | maybe                                         |
      | JWT_EXPIRES_SECONDS      | soon                                          |
      | OPEN_REGISTRATION        | perhaps                                       |
      | PUBLIC_CATALOGUE         | sometimes                                     |
      | CORS_ORIGINS             | not-an-origin                                 |
      | REDIS_URL                | localhost:6379                                |
      | METRICS_TOKEN            | short                                         |
      | PUBLIC_BASE_URL          | shop.example/api                              |
      | UNPAID_ORDER_TTL_SECONDS | -1                                            |
      | UNPAID_ORDER_TTL_SECONDS | a day                                         |
      | STRIPE_WEBHOOK_SECRET    | sk_live_51H7an_api_key_not_the_signing_secret |

    Examples: Webhooks
      | name                           | value     |
      | WEBHOOK_ALLOW_PRIVATE_NETWORKS | sometimes |
      | WEBHOOK_RETRY_BASE_SECONDS     | 0         |
      | WEBHOOK_RETRY_BASE_SECONDS     | -10       |
      | WEBHOOK_RETRY_BASE_SECONDS     | nan       |
      | WEBHOOK_RETRY_BASE_SECONDS     | a while   |

    Examples: Pricing
      | name               | value   |
      | PRICES_INCLUDE_TAX | perhaps |
      | SHOP_COUNTRY       | de      |
      | SHOP_COUNTRY       | XX      |
      | SHOP_COUNTRY       | Germany |

  Scenario: A bad Stripe secret is named, never shown
    Given the environment sets STRIPE_WEBHOOK_SECRET to "sk_live_51H7an_api_key_not_the_signing_secret"
    When the operator runs "shop migrate"
    Then the command fails with one line that names STRIPE_WEBHOOK_SECRET
    And the output does not contain "sk_live_51H7an"

  Scenario Outline: A server without a fit SECRET_KEY refuses to start (<why>)
    Given <key>
    When the operator runs "shop serve"
    Then the command fails with one line that names SECRET_KEY

    Examples:
      | why               | key                                                                                         |
      | none at all       | the environment has no SECRET_KEY                                                           |
      | too short         | the environment sets SECRET_KEY to "too-short"                                              |
      | the example value | the environment sets SECRET_KEY to "change-me-to-a-random-string-of-at-least-32-characters" |

  Scenario Outline: Commands that sign no tokens run without a SECRET_KEY: <command>
    Given the environment has no SECRET_KEY
    When the operator runs "<command>"
    Then the command succeeds

    Examples:
      | command                                                                                   |
      | shop migrate                                                                              |
      | shop seed --products 3                                                                    |
      | shop create-admin --username keeper --email keeper@shop.example --password long-enough-pw |

  Scenario: The classic entry point refuses a bad setting in one line too
    Given the environment sets SECRET_KEY to "too-short"
    When the operator runs "uvicorn asgi:application"
    Then the command fails with one line that names SECRET_KEY

  Scenario: In development (DEBUG) the shop runs without a SECRET_KEY
    Given the environment has no SECRET_KEY
    And the environment sets DEBUG to "true"
    When the operator runs "shop migrate"
    Then the command succeeds

  Scenario: Settings are read from a .env file
    Given a .env file that sets DATABASE_URL to a new SQLite file
    When the operator runs "shop migrate"
    Then the command succeeds
    And that SQLite file has the shop's tables

  Scenario: The seed's SQLITE_URI names the database the shop serves
    Given the environment sets SQLITE_URI to a new SQLite file with the demo admin
    When a shop starts with those settings
    Then the demo admin can log in to it

  Scenario: The seed's ALEMBIC_URI names the database that migrations run on
    Given the environment sets ALEMBIC_URI to a new SQLite file
    When the operator runs "alembic upgrade head"
    Then the command succeeds
    And that SQLite file has the shop's tables
