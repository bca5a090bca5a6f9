// A storefront's first day through types that openapi-typescript generates from
// the shop's served /openapi.json (default options) and openapi-fetch: nothing
// else. `nox -s clients` generates schema.d.ts, compiles this file with
// `tsc --strict` (a property a request may leave out must be optional in the
// types) and runs it against a live `shop serve`:
//
//     node build/flow.js BASE_URL ADMIN_USERNAME ADMIN_PASSWORD
//
// It exits non-zero at the first step that does not hold.

import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Problem = components["schemas"]["ProblemDetails"];
type Product = components["schemas"]["Product"];

function check(condition: unknown, what: string): asserts condition {
  if (!condition) {
    throw new Error(`did not hold: ${what}`);
  }
}

function isProblem(error: Problem | undefined, response: Response, status: number, type: Problem["type"]): Problem {
  check(response.status === status, `the answer is ${status}, not ${response.status}`);
  check(error !== undefined && error.status === status && error.type === type, `a problem of type ${type}`);
  check(error.request_id === response.headers.get("X-Request-ID"), "the problem names the request id");
  return error;
}

async function main(baseUrl: string, adminName: string, adminPassword: string): Promise<void> {
  const run = crypto.randomUUID().slice(0, 8); // names of this run's own: the flow can run again
  const shop = createClient<paths>({ baseUrl });

  async function logIn(username: string, password: string): Promise<{ Authorization: string }> {
    const { data, response } = await shop.POST("/login", { body: { username, password } });
    check(response.status === 200 && data !== undefined, `${username} logs in`);
    check(data.token_type === "Bearer" && data.expires_in > 0, "a bearer token that expires");
    return { Authorization: `Bearer ${data.access_token}` };
  }

  // 401: a token the shop did not sign.
  const refused = await shop.GET("/users/me", { headers: { Authorization: "Bearer not-a-token" } });
  isProblem(refused.error, refused.response, 401, "urn:shop:problem:unauthorized");

  // An admin stocks the catalogue: a product needs no description.
  const admin = await logIn(adminName, adminPassword);
  const made: Product[] = [];
  for (let n = 0; n < 5; n++) {
    const { data, response } = await shop.POST("/products", {
      headers: admin,
      body: { name: `Pan ${run} ${n}`, price: `${10 + n}.50`, stock: 5 },
    });
    check(response.status === 201 && data !== undefined, "the product is created");
    check(response.headers.get("Location")?.endsWith(`/products/${data.id}`), "Location names the new product");
    made.push(data);
  }

  // A customer made by an admin, with no role given: a customer.
  const password = `a long pass phrase ${run}`;
  const signedUp = await shop.POST("/users", {
    headers: admin,
    body: { username: `bea-${run}`, email: `bea-${run}@example.com`, password },
  });
  check(signedUp.data !== undefined && signedUp.data.role === "customer", "a new user is a customer by default");
  const bea = await logIn(`bea-${run}`, password);

  // The catalogue walked to its end by next_cursor, two at a time.
  const seen: number[] = [];
  let cursor: string | null = null;
  do {
    const query: NonNullable<paths["/products"]["get"]["parameters"]["query"]> = { q: `pan ${run}`, per_page: 2 };
    if (cursor !== null) {
      query.cursor = cursor;
    }
    const { data, response } = await shop.GET("/products", { headers: bea, params: { query } });
    check(response.status === 200 && data !== undefined, "a page of the catalogue");
    check(response.headers.get("X-Total-Count") === "5", "the total in X-Total-Count");
    seen.push(...data.items.map((product) => product.id));
    cursor = data.next_cursor ?? null;
  } while (cursor !== null);
  check(JSON.stringify(seen) === JSON.stringify(made.map((product) => product.id)), "every product once, in order");

  // An order for oneself, with no user_id, made safe to retry by its Idempotency-Key.
  const pan = made[0];
  check(pan !== undefined, "a product to order");
  const key = `order-${run}`;
  const items = [{ product_id: pan.id, quantity: 2 }];
  const placed = await shop.POST("/orders", { headers: bea, params: { header: { "Idempotency-Key": key } }, body: { items } });
  check(placed.response.status === 201 && placed.data !== undefined, "the order is placed");
  check(placed.data.status === "pending" && placed.data.total_price === "21.00", "pending, for 2 x 10.50");
  const again = await shop.POST("/orders", { headers: bea, params: { header: { "Idempotency-Key": key } }, body: { items } });
  check(again.response.headers.get("Idempotent-Replayed") === "true", "the retry is the first answer, replayed");
  check(again.data?.id === placed.data.id, "and the same order");

  // 422: a quantity of 0, named where it is.
  const none = await shop.POST("/orders", { headers: bea, body: { items: [{ product_id: pan.id, quantity: 0 }] } });
  const invalid = isProblem(none.error, none.response, 422, "urn:shop:problem:validation");
  check(invalid.errors?.[0]?.loc.join(".") === "body.items.0.quantity", "the error is at body.items.0.quantity");

  // A T-shirt in two sizes, made with its variants; a customer orders the M by its variant id.
  const shirt = await shop.POST("/products", {
    headers: admin,
    body: {
      name: `Tee ${run}`,
      options: [{ name: "size", values: ["S", "M"] }],
      variants: [
        { options: { size: "S" }, price: "15.00", stock: 3 },
        { options: { size: "M" }, price: "16.00", stock: 2 },
      ],
    },
  });
  check(shirt.response.status === 201 && shirt.data !== undefined, "a product with variants is created");
  check(shirt.data.price === "15.00" && shirt.data.stock === 5, "its price is the lowest, its stock the sum");
  const medium = shirt.data.variants[1];
  check(medium !== undefined && medium.options["size"] === "M", "the second variant is the M");
  const bought = await shop.POST("/orders", { headers: bea, body: { items: [{ variant_id: medium.id, quantity: 2 }] } });
  check(bought.response.status === 201 && bought.data !== undefined, "the variant is ordered");
  const line = bought.data.items[0];
  check(line !== undefined && line.variant_id === medium.id && line.sku === medium.sku, "the line names the variant");
  check(bought.data.total_price === "32.00", "2 x 16.00");

  // Checkout to France (20% tax, Colis at 6.00, free from 50.00): a quote, then the order it prices.
  const tax = await shop.POST("/tax-rates", { headers: admin, body: { country: "FR", rate: "20.00" } });
  check(tax.response.status === 201 && tax.data?.tax_class === "standard", "a standard rate for France");
  const zone = await shop.POST("/shipping-zones", { headers: admin, body: { name: `France ${run}`, countries: ["FR"] } });
  check(zone.response.status === 201 && zone.data !== undefined, "a zone for France");
  const colis = await shop.POST("/shipping-zones/{zone_id}/rates", {
    headers: admin,
    params: { path: { zone_id: zone.data.id } },
    body: { name: "Colis", price: "6.00", free_over: "50.00" },
  });
  check(colis.response.status === 201 && colis.data !== undefined, "a rate for the zone");
  const small = shirt.data.variants[0];
  check(small !== undefined, "the first variant is the S");
  const cart = {
    items: [{ variant_id: small.id, quantity: 1 }],
    shipping_address: { name: "Bea", line1: "1 rue de Rivoli", city: "Paris", postal_code: "75001", country: "FR" },
    shipping_rate_id: colis.data.id,
  };
  const quote = await shop.POST("/orders/quote", { headers: bea, body: cart });
  check(quote.response.status === 200 && quote.data !== undefined, "the order is quoted");
  // 15.00 + 3.00 tax; 6.00 shipping + 1.20 tax.
  check(quote.data.tax_total === "4.20" && quote.data.total_price === "25.20", "the quote's figures");
  const shipped = await shop.POST("/orders", { headers: bea, body: cart });
  check(shipped.response.status === 201 && shipped.data?.total_price === "25.20", "the order costs what was quoted");
  check(shipped.data.shipping_rate?.name === "Colis", "the order keeps the rate chosen");

  console.log("the TypeScript client's flow held");
}

const [baseUrl, adminName, adminPassword] = process.argv.slice(2);
if (baseUrl === undefined || adminName === undefined || adminPassword === undefined) {
  console.error("usage: node build/flow.js BASE_URL ADMIN_USERNAME ADMIN_PASSWORD");
  process.exit(2);
}
await main(baseUrl, adminName, adminPassword);
