Feature: Metrics for Prometheus
  GET /metrics answers, without a token, in Prometheus' text format:
  `shop_http_requests_total` and the histogram
  `shop_http_request_duration_seconds`, both by route template (never the
  raw path: ids do not make new series; a path that matches no route counts
  as "unmatched"), method and status; `shop_orders_created_total`; and
  `shop_login_failures_total`. Under `shop serve --workers N` every worker
  answers with the sum over all workers.

  The figures (sales, failed logins, errors) are the operator's: GET /metrics
  answers the machine itself (a loopback address), and anyone else only when
  the setting METRICS_TOKEN is set and sent as `Authorization: Bearer
  <METRICS_TOKEN>`. Others get 404 when there is no such token to send, 401
  when there is.

  Scenario Outline: Who may read the metrics: <who>
    Given the shop's METRICS_TOKEN is "<setting>"
    When a client at <address> sends GET "/metrics" with <credentials>
    Then the response status is <status>

    Examples:
      | who                                    | setting                   | address     | credentials                                        | status |
      | the machine itself                     |                           | 127.0.0.1   | no token                                           | 200    |
      | the machine itself, over IPv6          |                           | ::1         | no token                                           | 200    |
      | anyone else, without METRICS_TOKEN     |                           | 203.0.113.9 | no token                                           | 404    |
      | a scraper with the token               | scrape-me-0123456789abcdef | 203.0.113.9 | the token "scrape-me-0123456789abcdef"            | 200    |
      | a scraper without it                   | scrape-me-0123456789abcdef | 203.0.113.9 | no token                                           | 401    |
      | a scraper with a wrong one             | scrape-me-0123456789abcdef | 203.0.113.9 | the token "scrape-me-0123456789abcdeF"            | 401    |
      | a user's token is not the metrics token | scrape-me-0123456789abcdef | 203.0.113.9 | the token "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl" | 401    |
      | the machine itself, with the token set | scrape-me-0123456789abcdef | 127.0.0.1   | no token                                           | 200    |

  Scenario: The metrics are Prometheus text and need no token
    When a client sends GET "/metrics"
    Then the response status is 200
    And the response header "Content-Type" contains "text/plain; version="

  Scenario: Requests are counted by route template, method and status
    Given a customer "ada" with the password "correct horse battery"
    And "ada" has logged in
    When a client sends GET "/health"
    And a client sends GET "/health"
    And a client sends GET "/products/7"
    And a client sends GET "/products/8"
    And a client sends GET "/metrics"
    Then the metric 'shop_http_requests_total{method="GET",route="/health",status="200"}' is 2
    And the metric 'shop_http_requests_total{method="GET",route="/products/{product_id}",status="404"}' is 2
    And the metric 'shop_http_request_duration_seconds_count{method="GET",route="/health",status="200"}' is 2

  Scenario: A path that matches no route is counted as unmatched, not by its path
    When a client sends GET "/nowhere/1"
    And a client sends GET "/nowhere/2"
    And a client sends GET "/metrics"
    Then the metric 'shop_http_requests_total{method="GET",route="unmatched",status="404"}' is 2
    And the metrics do not mention "/nowhere"

  Scenario: Methods the shop does not know share one series
    When a client sends BREW "/health"
    And a client sends PURGEALL "/health"
    And a client sends GET "/metrics"
    Then the metric 'shop_http_requests_total{method="other",route="/health",status="405"}' is 2
    And the metrics do not mention "BREW"

  Scenario: Orders placed and logins failed are counted
    Given a customer "ada" with the password "correct horse battery"
    And "ada" has logged in
    And the product "Teapot" priced "19.99" with 5 in stock
    When "ada" orders 1 "Teapot"
    And "ada" orders 9 "Teapot"
    And "ada" logs in with the password "not her password"
    And a client sends GET "/metrics"
    Then the metric "shop_orders_created_total" is 1
    And the metric "shop_login_failures_total" is 1

  Scenario: With several workers the metrics add up over all of them
    Given an empty database
    When the operator starts "shop serve --workers 2"
    And 8 clients at once send 40 requests for GET "/health" to the server
    Then each of 10 answers of the server to GET "/metrics" says 'shop_http_requests_total{method="GET",route="/health",status="200"}' is 40
