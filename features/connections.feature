Feature: Connections a slow or hostile client cannot hold
  `shop serve` cuts what does not arrive in time, so a few clients trickling
  bytes cannot hold a worker's connections for good:

  - a request's line and headers must arrive within 10 seconds of the
    connection opening or of their first byte (`--head-timeout`), and take at
    most 64 KiB: else 408 or 431, and the connection is closed;
  - a body must arrive within 30 seconds of its first byte (`--body-timeout`):
    else 408, and the connection is closed;
  - a connection that sends nothing is closed after the head timeout, and one
    idle between requests after 5 seconds;
  - a worker holds at most 1000 connections and requests at once
    (`--limit-concurrency`); past that, new requests are 503.

  Scenario Outline: A request head larger than 64 KiB is refused at once (<size> bytes)
    When the operator starts "shop serve"
    And a client sends the server a request with a header of <size> bytes
    Then the server answers it with 431 and closes the connection

    Examples:
      | size     |
      | 100000   |
      | 20000000 |

  Scenario: A head that trickles in is cut after the head timeout
    When the operator starts "shop serve --head-timeout 1"
    And a client sends the server a request head one byte every 0.2 seconds
    Then within 4 seconds the server answers it with 408 and closes the connection

  Scenario: A body that does not arrive is cut after the body timeout
    When the operator starts "shop serve --body-timeout 1"
    And a client sends the server POST "/login" declaring 100 bytes of body and sending 10
    Then within 4 seconds the server answers it with 408 and closes the connection

  Scenario: A connection that sends nothing is closed after the head timeout
    When the operator starts "shop serve --head-timeout 1"
    And a client connects to the server and sends nothing
    Then within 4 seconds the server closes the connection without an answer

  Scenario: A request that arrives whole is answered as always
    When the operator starts "shop serve --head-timeout 1 --body-timeout 1"
    Then the server answers GET "/health" with 200
