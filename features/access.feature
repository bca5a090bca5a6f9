Feature: Who may do what
  Three kinds of caller: nobody (no token), a customer and an admin. "Own"
  means the resource belongs to the caller. A customer asking for someone
  else's user or order is told it does not exist (404), so existence is never
  revealed; a customer calling an admin-only action is refused (403); a caller
  without a token is asked to authenticate (401).

  Background:
    Given an admin "root" with the password "correct horse battery"
    And a customer "ada" with the password "correct horse battery"
    And a customer "bob" with the password "correct horse battery"
    And the product "Mug" priced "4.50" with 10 in stock
    And the product "Shirt" in sizes "S", "M" with 5 each
    And "Shirt" is offered in "L" too
    And "ada" has ordered 1 "Mug"
    And the categories:
      | name    | parent |
      | Teaware |        |
    And "ada" has these addresses:
      | city   | default |
      | Berlin | yes     |
    And the shipping zones:
      | name    | countries |
      | Europe  | DE        |
      | Oceania | AU        |
    And the shipping rates:
      | zone   | name     | price | min_subtotal | max_subtotal | free_over |
      | Europe | Standard | 4.90  |              |              |           |
    And the tax rates:
      | country | tax_class | rate  |
      | DE      | standard  | 19.00 |
    And the discounts:
      | code    | kind  | value |
      | WELCOME | fixed | 5     |

  Scenario Outline: <caller> calling <method> <path> gets <status>
    When <caller> sends <method> "<path>" with <body>
    Then the response status is <status>

    Examples: Logging in is open to everyone
      | caller | method | path   | body                                                      | status |
      | nobody | POST   | /login | {"username": "ada", "password": "correct horse battery"}  | 200    |
      | ada    | POST   | /login | {"username": "ada", "password": "correct horse battery"}  | 200    |
      | root   | POST   | /login | {"username": "root", "password": "correct horse battery"} | 200    |

    Examples: Logging out is for whoever holds a token
      | caller | method | path    | body | status |
      | nobody | POST   | /logout | none | 401    |
      | ada    | POST   | /logout | none | 204    |
      | root   | POST   | /logout | none | 204    |

    Examples: Operations endpoints need no token
      | caller | method | path     | body | status |
      | nobody | GET    | /health  | none | 200    |
      | nobody | GET    | /ready   | none | 200    |
      | nobody | GET    | /metrics | none | 200    |

    Examples: The API's documentation needs no token
      | caller | method | path          | body | status |
      | nobody | GET    | /openapi.json | none | 200    |
      | nobody | GET    | /docs         | none | 200    |
      | nobody | GET    | /redoc        | none | 200    |

    Examples: Creating users is for admins (and for nobody only with open registration)
      | caller | method | path   | body                                                                                         | status |
      | nobody | POST   | /users | {"username": "eve", "email": "eve@shop.example", "password": "long enough"}                  | 401    |
      | ada    | POST   | /users | {"username": "eve", "email": "eve@shop.example", "password": "long enough"}                  | 403    |
      | root   | POST   | /users | {"username": "eve", "email": "eve@shop.example", "password": "long enough"}                  | 201    |
      | root   | POST   | /users | {"username": "eve", "email": "eve@shop.example", "password": "long enough", "role": "admin"} | 201    |

    Examples: Listing users is for admins
      | caller | method | path   | body | status |
      | nobody | GET    | /users | none | 401    |
      | ada    | GET    | /users | none | 403    |
      | root   | GET    | /users | none | 200    |

    Examples: Everyone with a token has a /users/me
      | caller | method | path      | body | status |
      | nobody | GET    | /users/me | none | 401    |
      | ada    | GET    | /users/me | none | 200    |
      | root   | GET    | /users/me | none | 200    |

    Examples: Everyone with a token has an address book of their own; no one else's entry exists for them, admins included
      | caller | method | path                                          | body                                                                                                 | status |
      | nobody | GET    | /users/me/addresses                           | none                                                                                                 | 401    |
      | ada    | GET    | /users/me/addresses                           | none                                                                                                 | 200    |
      | root   | GET    | /users/me/addresses                           | none                                                                                                 | 200    |
      | nobody | POST   | /users/me/addresses                           | {"name": "Eve", "line1": "1 Main Street", "city": "Paris", "postal_code": "75001", "country": "FR"}  | 401    |
      | ada    | POST   | /users/me/addresses                           | {"name": "Ada", "line1": "1 Main Street", "city": "Paris", "postal_code": "75001", "country": "FR"}  | 201    |
      | root   | POST   | /users/me/addresses                           | {"name": "Root", "line1": "1 Main Street", "city": "Paris", "postal_code": "75001", "country": "FR"} | 201    |
      | nobody | GET    | /users/me/addresses/{ada's address in Berlin} | none                                                                                                 | 401    |
      | ada    | GET    | /users/me/addresses/{ada's address in Berlin} | none                                                                                                 | 200    |
      | bob    | GET    | /users/me/addresses/{ada's address in Berlin} | none                                                                                                 | 404    |
      | root   | GET    | /users/me/addresses/{ada's address in Berlin} | none                                                                                                 | 404    |
      | nobody | PATCH  | /users/me/addresses/{ada's address in Berlin} | {"city": "Potsdam"}                                                                                  | 401    |
      | ada    | PATCH  | /users/me/addresses/{ada's address in Berlin} | {"city": "Potsdam"}                                                                                  | 200    |
      | bob    | PATCH  | /users/me/addresses/{ada's address in Berlin} | {"city": "Potsdam"}                                                                                  | 404    |
      | root   | PATCH  | /users/me/addresses/{ada's address in Berlin} | {"city": "Potsdam"}                                                                                  | 404    |
      | nobody | DELETE | /users/me/addresses/{ada's address in Berlin} | none                                                                                                 | 401    |
      | bob    | DELETE | /users/me/addresses/{ada's address in Berlin} | none                                                                                                 | 404    |
      | root   | DELETE | /users/me/addresses/{ada's address in Berlin} | none                                                                                                 | 404    |
      | ada    | DELETE | /users/me/addresses/{ada's address in Berlin} | none                                                                                                 | 204    |

    Examples: A customer reads only themself; someone else's account does not exist for them
      | caller | method | path          | body | status |
      | nobody | GET    | /users/{ada}  | none | 401    |
      | ada    | GET    | /users/{ada}  | none | 200    |
      | bob    | GET    | /users/{ada}  | none | 404    |
      | ada    | GET    | /users/{root} | none | 404    |
      | root   | GET    | /users/{ada}  | none | 200    |

    Examples: A customer changes only their own email and password; admins change anyone, role included
      | caller | method | path         | body                                                                       | status |
      | nobody | PATCH  | /users/{ada} | {"email": "new@shop.example"}                                              | 401    |
      | ada    | PATCH  | /users/{ada} | {"email": "new@shop.example", "current_password": "correct horse battery"} | 200    |
      | ada    | PATCH  | /users/{ada} | {"role": "admin"}                                                          | 403    |
      | bob    | PATCH  | /users/{ada} | {"email": "new@shop.example", "current_password": "correct horse battery"} | 404    |
      | root   | PATCH  | /users/{ada} | {"email": "new@shop.example"}                                              | 200    |
      | root   | PATCH  | /users/{ada} | {"role": "admin"}                                                          | 200    |

    Examples: A customer deletes only themself; admins delete anyone but the last admin (bob has no orders)
      | caller | method | path          | body | status |
      | nobody | DELETE | /users/{bob}  | none | 401    |
      | ada    | DELETE | /users/{bob}  | none | 404    |
      | bob    | DELETE | /users/{bob}  | none | 204    |
      | root   | DELETE | /users/{bob}  | none | 204    |
      | ada    | DELETE | /users/{root} | none | 404    |
      | root   | DELETE | /users/{ada}  | none | 409    |

    Examples: Everyone with a token browses the catalogue
      | caller | method | path            | body | status |
      | nobody | GET    | /products       | none | 401    |
      | ada    | GET    | /products       | none | 200    |
      | root   | GET    | /products       | none | 200    |
      | nobody | GET    | /products/{Mug} | none | 401    |
      | ada    | GET    | /products/{Mug} | none | 200    |
      | root   | GET    | /products/{Mug} | none | 200    |

    Examples: Everyone with a token reads a product's variants
      | caller | method | path                                   | body | status |
      | nobody | GET    | /products/{Mug}/variants               | none | 401    |
      | ada    | GET    | /products/{Mug}/variants               | none | 200    |
      | root   | GET    | /products/{Mug}/variants               | none | 200    |
      | nobody | GET    | /products/{Mug}/variants/{Mug's variant} | none | 401    |
      | ada    | GET    | /products/{Mug}/variants/{Mug's variant} | none | 200    |
      | root   | GET    | /products/{Mug}/variants/{Mug's variant} | none | 200    |

    Examples: Only admins change variants and read their stock movements
      | caller | method | path                                                   | body                                                       | status |
      | nobody | POST   | /products/{Shirt}/variants                             | {"options": {"size": "L"}, "price": "9.00", "stock": 1}    | 401    |
      | ada    | POST   | /products/{Shirt}/variants                             | {"options": {"size": "L"}, "price": "9.00", "stock": 1}    | 403    |
      | root   | POST   | /products/{Shirt}/variants                             | {"options": {"size": "L"}, "price": "9.00", "stock": 1}    | 201    |
      | nobody | PATCH  | /products/{Mug}/variants/{Mug's variant}               | {"stock": 4}                                               | 401    |
      | ada    | PATCH  | /products/{Mug}/variants/{Mug's variant}               | {"stock": 4}                                               | 403    |
      | root   | PATCH  | /products/{Mug}/variants/{Mug's variant}               | {"stock": 4}                                               | 200    |
      | nobody | DELETE | /products/{Mug}/variants/{Mug's variant}               | none                                                       | 401    |
      | ada    | DELETE | /products/{Mug}/variants/{Mug's variant}               | none                                                       | 403    |
      | root   | DELETE | /products/{Mug}/variants/{Mug's variant}               | none                                                       | 409    |
      | nobody | GET    | /products/{Mug}/variants/{Mug's variant}/stock-movements | none                                                     | 401    |
      | ada    | GET    | /products/{Mug}/variants/{Mug's variant}/stock-movements | none                                                     | 403    |
      | root   | GET    | /products/{Mug}/variants/{Mug's variant}/stock-movements | none                                                     | 200    |

    Examples: Only admins change the catalogue
      | caller | method | path            | body                                         | status |
      | nobody | POST   | /products       | {"name": "Cup", "price": "2.00", "stock": 5} | 401    |
      | ada    | POST   | /products       | {"name": "Cup", "price": "2.00", "stock": 5} | 403    |
      | root   | POST   | /products       | {"name": "Cup", "price": "2.00", "stock": 5} | 201    |
      | nobody | PATCH  | /products/{Mug} | {"stock": 4}                                 | 401    |
      | ada    | PATCH  | /products/{Mug} | {"stock": 4}                                 | 403    |
      | root   | PATCH  | /products/{Mug} | {"stock": 4}                                 | 200    |
      | nobody | DELETE | /products/{Mug} | none                                         | 401    |
      | ada    | DELETE | /products/{Mug} | none                                         | 403    |
      | root   | DELETE | /products/{Mug} | none                                         | 204    |

    Examples: Everyone with a token browses the categories, and the products of one
      | caller | method | path                            | body | status |
      | nobody | GET    | /categories                     | none | 401    |
      | ada    | GET    | /categories                     | none | 200    |
      | root   | GET    | /categories                     | none | 200    |
      | nobody | GET    | /categories/{Teaware}           | none | 401    |
      | ada    | GET    | /categories/{Teaware}           | none | 200    |
      | root   | GET    | /categories/{Teaware}           | none | 200    |
      | nobody | GET    | /products?category={Teaware}    | none | 401    |
      | ada    | GET    | /products?category={Teaware}    | none | 200    |
      | root   | GET    | /products?category={Teaware}    | none | 200    |

    Examples: Only admins change the categories
      | caller | method | path                  | body                | status |
      | nobody | POST   | /categories           | {"name": "Cups"}    | 401    |
      | ada    | POST   | /categories           | {"name": "Cups"}    | 403    |
      | root   | POST   | /categories           | {"name": "Cups"}    | 201    |
      | nobody | PATCH  | /categories/{Teaware} | {"name": "Teacups"} | 401    |
      | ada    | PATCH  | /categories/{Teaware} | {"name": "Teacups"} | 403    |
      | root   | PATCH  | /categories/{Teaware} | {"name": "Teacups"} | 200    |
      | nobody | DELETE | /categories/{Teaware} | none                | 401    |
      | ada    | DELETE | /categories/{Teaware} | none                | 403    |
      | root   | DELETE | /categories/{Teaware} | none                | 204    |

    Examples: Everyone with a token reads the shipping zones and their rates; only admins change them
      | caller | method | path                                      | body                                  | status |
      | nobody | GET    | /shipping-zones                           | none                                  | 401    |
      | ada    | GET    | /shipping-zones                           | none                                  | 200    |
      | root   | GET    | /shipping-zones                           | none                                  | 200    |
      | nobody | POST   | /shipping-zones                           | {"name": "Asia", "countries": ["JP"]} | 401    |
      | ada    | POST   | /shipping-zones                           | {"name": "Asia", "countries": ["JP"]} | 403    |
      | root   | POST   | /shipping-zones                           | {"name": "Asia", "countries": ["JP"]} | 201    |
      | nobody | GET    | /shipping-zones/{Europe}                  | none                                  | 401    |
      | ada    | GET    | /shipping-zones/{Europe}                  | none                                  | 200    |
      | root   | GET    | /shipping-zones/{Europe}                  | none                                  | 200    |
      | nobody | PATCH  | /shipping-zones/{Europe}                  | {"name": "EU"}                        | 401    |
      | ada    | PATCH  | /shipping-zones/{Europe}                  | {"name": "EU"}                        | 403    |
      | root   | PATCH  | /shipping-zones/{Europe}                  | {"name": "EU"}                        | 200    |
      | nobody | DELETE | /shipping-zones/{Oceania}                 | none                                  | 401    |
      | ada    | DELETE | /shipping-zones/{Oceania}                 | none                                  | 403    |
      | root   | DELETE | /shipping-zones/{Oceania}                 | none                                  | 204    |
      | nobody | GET    | /shipping-zones/{Europe}/rates            | none                                  | 401    |
      | ada    | GET    | /shipping-zones/{Europe}/rates            | none                                  | 200    |
      | root   | GET    | /shipping-zones/{Europe}/rates            | none                                  | 200    |
      | nobody | POST   | /shipping-zones/{Europe}/rates            | {"name": "Express", "price": "12.00"} | 401    |
      | ada    | POST   | /shipping-zones/{Europe}/rates            | {"name": "Express", "price": "12.00"} | 403    |
      | root   | POST   | /shipping-zones/{Europe}/rates            | {"name": "Express", "price": "12.00"} | 201    |
      | nobody | GET    | /shipping-zones/{Europe}/rates/{Standard} | none                                  | 401    |
      | ada    | GET    | /shipping-zones/{Europe}/rates/{Standard} | none                                  | 200    |
      | root   | GET    | /shipping-zones/{Europe}/rates/{Standard} | none                                  | 200    |
      | nobody | PATCH  | /shipping-zones/{Europe}/rates/{Standard} | {"price": "5.00"}                     | 401    |
      | ada    | PATCH  | /shipping-zones/{Europe}/rates/{Standard} | {"price": "5.00"}                     | 403    |
      | root   | PATCH  | /shipping-zones/{Europe}/rates/{Standard} | {"price": "5.00"}                     | 200    |
      | nobody | DELETE | /shipping-zones/{Europe}/rates/{Standard} | none                                  | 401    |
      | ada    | DELETE | /shipping-zones/{Europe}/rates/{Standard} | none                                  | 403    |
      | root   | DELETE | /shipping-zones/{Europe}/rates/{Standard} | none                                  | 204    |

    Examples: Tax rates are for admins only
      | caller | method | path                     | body                            | status |
      | nobody | GET    | /tax-rates               | none                            | 401    |
      | ada    | GET    | /tax-rates               | none                            | 403    |
      | root   | GET    | /tax-rates               | none                            | 200    |
      | nobody | POST   | /tax-rates               | {"country": "FR", "rate": "20"} | 401    |
      | ada    | POST   | /tax-rates               | {"country": "FR", "rate": "20"} | 403    |
      | root   | POST   | /tax-rates               | {"country": "FR", "rate": "20"} | 201    |
      | nobody | GET    | /tax-rates/{DE standard} | none                            | 401    |
      | ada    | GET    | /tax-rates/{DE standard} | none                            | 403    |
      | root   | GET    | /tax-rates/{DE standard} | none                            | 200    |
      | nobody | PATCH  | /tax-rates/{DE standard} | {"rate": "16"}                  | 401    |
      | ada    | PATCH  | /tax-rates/{DE standard} | {"rate": "16"}                  | 403    |
      | root   | PATCH  | /tax-rates/{DE standard} | {"rate": "16"}                  | 200    |
      | nobody | DELETE | /tax-rates/{DE standard} | none                            | 401    |
      | ada    | DELETE | /tax-rates/{DE standard} | none                            | 403    |
      | root   | DELETE | /tax-rates/{DE standard} | none                            | 204    |

    Examples: Discount codes are for admins only
      | caller | method | path                  | body                                                    | status |
      | nobody | GET    | /discounts            | none                                                    | 401    |
      | ada    | GET    | /discounts            | none                                                    | 403    |
      | root   | GET    | /discounts            | none                                                    | 200    |
      | nobody | POST   | /discounts            | {"code": "TENOFF", "kind": "percentage", "value": "10"} | 401    |
      | ada    | POST   | /discounts            | {"code": "TENOFF", "kind": "percentage", "value": "10"} | 403    |
      | root   | POST   | /discounts            | {"code": "TENOFF", "kind": "percentage", "value": "10"} | 201    |
      | nobody | GET    | /discounts/{WELCOME}  | none                                                    | 401    |
      | ada    | GET    | /discounts/{WELCOME}  | none                                                    | 403    |
      | root   | GET    | /discounts/{WELCOME}  | none                                                    | 200    |
      | nobody | PATCH  | /discounts/{WELCOME}  | {"active": false}                                       | 401    |
      | ada    | PATCH  | /discounts/{WELCOME}  | {"active": false}                                       | 403    |
      | root   | PATCH  | /discounts/{WELCOME}  | {"active": false}                                       | 200    |
      | nobody | DELETE | /discounts/{WELCOME}  | none                                                    | 401    |
      | ada    | DELETE | /discounts/{WELCOME}  | none                                                    | 403    |
      | root   | DELETE | /discounts/{WELCOME}  | none                                                    | 204    |

    Examples: Orders: a customer orders for themself, an admin for anyone
      | caller | method | path    | body                                                                | status |
      | nobody | POST   | /orders | {"items": [{"product_id": {Mug}, "quantity": 1}]}                   | 401    |
      | ada    | POST   | /orders | {"items": [{"product_id": {Mug}, "quantity": 1}]}                   | 201    |
      | ada    | POST   | /orders | {"items": [{"product_id": {Mug}, "quantity": 1}], "user_id": {bob}} | 403    |
      | root   | POST   | /orders | {"items": [{"product_id": {Mug}, "quantity": 1}], "user_id": {bob}} | 201    |

    Examples: A quote is for whoever may order, as the order would be
      | caller | method | path          | body                                                                | status |
      | nobody | POST   | /orders/quote | {"items": [{"product_id": {Mug}, "quantity": 1}]}                   | 401    |
      | ada    | POST   | /orders/quote | {"items": [{"product_id": {Mug}, "quantity": 1}]}                   | 200    |
      | ada    | POST   | /orders/quote | {"items": [{"product_id": {Mug}, "quantity": 1}], "user_id": {bob}} | 403    |
      | root   | POST   | /orders/quote | {"items": [{"product_id": {Mug}, "quantity": 1}], "user_id": {bob}} | 200    |

    Examples: Orders: a customer sees their own, an admin sees all
      | caller | method | path                  | body | status |
      | nobody | GET    | /orders               | none | 401    |
      | ada    | GET    | /orders               | none | 200    |
      | ada    | GET    | /orders?user_id={bob} | none | 403    |
      | root   | GET    | /orders?user_id={bob} | none | 200    |
      | nobody | GET    | /orders/{ada's order} | none | 401    |
      | ada    | GET    | /orders/{ada's order} | none | 200    |
      | bob    | GET    | /orders/{ada's order} | none | 404    |
      | root   | GET    | /orders/{ada's order} | none | 200    |

    Examples: Orders: a customer cancels or deletes their own pending order; admins do the rest
      | caller | method | path                  | body                    | status |
      | nobody | PATCH  | /orders/{ada's order} | {"status": "cancelled"} | 401    |
      | ada    | PATCH  | /orders/{ada's order} | {"status": "cancelled"} | 200    |
      | ada    | PATCH  | /orders/{ada's order} | {"status": "paid"}      | 403    |
      | bob    | PATCH  | /orders/{ada's order} | {"status": "cancelled"} | 404    |
      | root   | PATCH  | /orders/{ada's order} | {"status": "paid"}      | 200    |
      | nobody | DELETE | /orders/{ada's order} | none                    | 401    |
      | bob    | DELETE | /orders/{ada's order} | none                    | 404    |
      | ada    | DELETE | /orders/{ada's order} | none                    | 204    |
      | root   | DELETE | /orders/{ada's order} | none                    | 204    |

    Examples: Payments: the owner and admins read an order's ledger; only admins record money or give it back
      | caller | method | path                           | body                                      | status |
      | nobody | GET    | /orders/{ada's order}/payments | none                                      | 401    |
      | ada    | GET    | /orders/{ada's order}/payments | none                                      | 200    |
      | bob    | GET    | /orders/{ada's order}/payments | none                                      | 404    |
      | root   | GET    | /orders/{ada's order}/payments | none                                      | 200    |
      | nobody | POST   | /orders/{ada's order}/payments | {"amount": "4.50", "reference": "bank 1"} | 401    |
      | ada    | POST   | /orders/{ada's order}/payments | {"amount": "4.50", "reference": "bank 1"} | 403    |
      | bob    | POST   | /orders/{ada's order}/payments | {"amount": "4.50", "reference": "bank 1"} | 403    |
      | root   | POST   | /orders/{ada's order}/payments | {"amount": "4.50", "reference": "bank 1"} | 201    |
      | nobody | POST   | /orders/{ada's order}/refunds  | {"amount": "1.00", "reason": "broken"}    | 401    |
      | ada    | POST   | /orders/{ada's order}/refunds  | {"amount": "1.00", "reason": "broken"}    | 403    |
      | bob    | POST   | /orders/{ada's order}/refunds  | {"amount": "1.00", "reason": "broken"}    | 403    |

    Examples: An admin may refund; ada's order has no payment yet, so the refund is refused on its merits (409)
      | caller | method | path                          | body                                   | status |
      | root   | POST   | /orders/{ada's order}/refunds | {"amount": "1.00", "reason": "broken"} | 409    |

    Examples: Stripe's webhook asks for no token: its signature decides, and there is none here (400)
      | caller | method | path                     | body | status |
      | nobody | POST   | /payments/stripe/webhook | {}   | 400    |
      | ada    | POST   | /payments/stripe/webhook | {}   | 400    |
      | root   | POST   | /payments/stripe/webhook | {}   | 400    |

    Examples: The event feed is for admins
      | caller | method | path    | body | status |
      | nobody | GET    | /events | none | 401    |
      | ada    | GET    | /events | none | 403    |
      | bob    | GET    | /events | none | 403    |
      | root   | GET    | /events | none | 200    |

    Examples: Webhooks are for admins only
      | caller | method | path      | body                                                  | status |
      | nobody | POST   | /webhooks | {"url": "https://erp.example/hook", "events": ["*"]} | 401    |
      | ada    | POST   | /webhooks | {"url": "https://erp.example/hook", "events": ["*"]} | 403    |
      | root   | POST   | /webhooks | {"url": "https://erp.example/hook", "events": ["*"]} | 201    |
      | nobody | GET    | /webhooks | none                                                  | 401    |
      | ada    | GET    | /webhooks | none                                                  | 403    |
      | root   | GET    | /webhooks | none                                                  | 200    |

    Examples: A webhook's own endpoints are for admins only; there is no webhook 1 here, so an admin is told 404
      | caller | method | path                                | body              | status |
      | nobody | GET    | /webhooks/1                         | none              | 401    |
      | ada    | GET    | /webhooks/1                         | none              | 403    |
      | root   | GET    | /webhooks/1                         | none              | 404    |
      | nobody | PATCH  | /webhooks/1                         | {"active": false} | 401    |
      | ada    | PATCH  | /webhooks/1                         | {"active": false} | 403    |
      | root   | PATCH  | /webhooks/1                         | {"active": false} | 404    |
      | nobody | DELETE | /webhooks/1                         | none              | 401    |
      | ada    | DELETE | /webhooks/1                         | none              | 403    |
      | root   | DELETE | /webhooks/1                         | none              | 404    |
      | nobody | GET    | /webhooks/1/deliveries              | none              | 401    |
      | ada    | GET    | /webhooks/1/deliveries              | none              | 403    |
      | root   | GET    | /webhooks/1/deliveries              | none              | 404    |
      | nobody | POST   | /webhooks/1/deliveries/1/retry      | none              | 401    |
      | ada    | POST   | /webhooks/1/deliveries/1/retry      | none              | 403    |
      | root   | POST   | /webhooks/1/deliveries/1/retry      | none              | 404    |

  Scenario Outline: With PUBLIC_CATALOGUE=true, <caller> calling <method> <path> gets <status>
    A storefront's visitors read the catalogue without a token; everything else
    is as it was.

    Given the catalogue is public
    When <caller> sends <method> "<path>" with <body>
    Then the response status is <status>

    Examples: Visitors read the catalogue, its variants and its categories without a token
      | caller | method | path                                     | body | status |
      | nobody | GET    | /products                                | none | 200    |
      | nobody | GET    | /products/{Mug}                          | none | 200    |
      | nobody | GET    | /products?category={Teaware}             | none | 200    |
      | nobody | GET    | /products/{Mug}/variants                 | none | 200    |
      | nobody | GET    | /products/{Mug}/variants/{Mug's variant} | none | 200    |
      | nobody | GET    | /categories                              | none | 200    |
      | nobody | GET    | /categories/{Teaware}                    | none | 200    |
      | ada    | GET    | /categories                              | none | 200    |
      | ada    | GET    | /categories/{Teaware}                    | none | 200    |

    Examples: Changing the catalogue, its variants and categories, and reading stock movements still take an admin
      | caller | method | path                                                     | body                                                    | status |
      | nobody | POST   | /products                                                | {"name": "Cup", "price": "2.00", "stock": 5}            | 401    |
      | nobody | PATCH  | /products/{Mug}                                          | {"stock": 4}                                            | 401    |
      | nobody | DELETE | /products/{Mug}                                          | none                                                    | 401    |
      | nobody | POST   | /products/{Shirt}/variants                               | {"options": {"size": "L"}, "price": "9.00", "stock": 1} | 401    |
      | nobody | PATCH  | /products/{Mug}/variants/{Mug's variant}                 | {"stock": 4}                                            | 401    |
      | nobody | DELETE | /products/{Mug}/variants/{Mug's variant}                 | none                                                    | 401    |
      | nobody | GET    | /products/{Mug}/variants/{Mug's variant}/stock-movements | none                                                    | 401    |
      | nobody | GET    | /orders                                                  | none                                                    | 401    |
      | nobody | POST   | /categories                                              | {"name": "Cups"}                                        | 401    |
      | nobody | PATCH  | /categories/{Teaware}                                    | {"name": "Teacups"}                                     | 401    |
      | nobody | DELETE | /categories/{Teaware}                                    | none                                                    | 401    |
      | ada    | POST   | /categories                                              | {"name": "Cups"}                                        | 403    |
      | ada    | PATCH  | /categories/{Teaware}                                    | {"name": "Teacups"}                                     | 403    |
      | ada    | DELETE | /categories/{Teaware}                                    | none                                                    | 403    |
      | ada    | GET    | /products/{Mug}/variants/{Mug's variant}/stock-movements | none                                                    | 403    |
      | root   | POST   | /categories                                              | {"name": "Cups"}                                        | 201    |
      | root   | PATCH  | /categories/{Teaware}                                    | {"name": "Teacups"}                                     | 200    |
      | root   | DELETE | /categories/{Teaware}                                    | none                                                    | 204    |
