Feature: Metrics for Prometheus
  GET /metrics answers, without a token, in Prometheus' text format:
  `shop_http_requests_total` and the histogram
  `shop_http_request_duration_seconds`, both by route template (never the
  raw path: ids do not make new series; a path that matches no route counts
  as "unmatched"), method and status; `shop_orders_created_total`; and
  `shop_login_failures_total`. Under `shop serve --workers N` every worker
  answers with the sum over all workers.

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
