//! Random and hostile arguments at every server function (PRODUCT.md §12): very long strings,
//! NUL, bidi and combining characters, huge numbers, wrong types, malformed JSON and form
//! bodies. Whatever arrives: no 5xx, no panic, and nothing changes unless the answer was a
//! success. The values come from proptest strategies with a fixed seed, so a failure
//! reproduces; each case names its endpoint and input.

use crate::authorization_matrix::{call_with, fingerprint, matrix_ids, Access, Endpoint, ENDPOINTS};
use crate::common::{Client, TestApp, TestResponse};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Value};

/// Cases per endpoint (each one call).
const CASES: usize = 12;

fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\PC\\p{M}\u{200B}-\u{206F}\u{0}]{0,40}",
        Just("x".repeat(100_000)),
        Just("a\0b".to_string()),
        Just("\u{202E}dlrow\u{202C} Ltd".to_string()),
        Just("A\u{200B}cme".to_string()),
        Just("e\u{301}\u{302}\u{303}".repeat(300)),
        Just("🦀".repeat(2_000)),
        Just("' OR 1=1; DROP TABLE customers; --".to_string()),
        Just("<script>alert(1)</script>".to_string()),
        Just("%00%ff%".to_string()),
        Just("   ".to_string()),
        Just(String::new()),
    ]
}

fn hostile_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => hostile_text().prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => prop_oneof![Just(json!(i64::MAX)), Just(json!(u64::MAX)), Just(json!(-1)), Just(json!(1e308)), Just(json!(0.5))],
        1 => any::<bool>().prop_map(Value::from),
        1 => Just(Value::Null),
        1 => prop_oneof![Just(json!([])), Just(json!({})), Just(json!([1, "two", null])), Just(json!({ "Ids": [-1, i64::MAX] }))],
    ]
}

/// A body no well-behaved client sends.
fn malformed_body() -> impl Strategy<Value = (String, Vec<u8>)> {
    let json = "application/json".to_string();
    let form = "application/x-www-form-urlencoded".to_string();
    prop_oneof![
        Just((json.clone(), b"{\"input\": ".to_vec())),
        Just((json.clone(), vec![0xff, 0xfe, b'{', 0x80])),
        Just((json.clone(), format!("{}1{}", "[".repeat(5_000), "]".repeat(5_000)).into_bytes())),
        Just((json.clone(), b"null".to_vec())),
        Just((json, b"\"just a string\"".to_vec())),
        Just((form.clone(), b"a=%zz&&=&%=%".to_vec())),
        Just((form.clone(), b"query=1&query=2&query[]=3".to_vec())),
        Just((form, vec![0xc3, 0x28, b'=', 0xa0])),
        Just(("text/plain".to_string(), b"hello".to_vec())),
        any::<Vec<u8>>().prop_map(|bytes| ("application/octet-stream".to_string(), bytes)),
    ]
}

/// Every leaf of `value`, as a path of keys and indexes.
fn leaves(value: &Value, path: Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            map.iter().for_each(|(k, v)| leaves(v, [path.clone(), vec![Value::from(k.as_str())]].concat(), out))
        }
        Value::Array(items) if !items.is_empty() => {
            items.iter().enumerate().for_each(|(i, v)| leaves(v, [path.clone(), vec![Value::from(i)]].concat(), out))
        }
        _ => out.push(path),
    }
}

fn replace(value: &mut Value, path: &[Value], with: Value) {
    match path.split_first() {
        None => *value = with,
        Some((Value::String(key), rest)) => replace(value.get_mut(key.as_str()).expect("path"), rest, with),
        Some((Value::Number(index), rest)) => {
            replace(value.get_mut(index.as_u64().unwrap() as usize).expect("path"), rest, with)
        }
        Some(_) => unreachable!(),
    }
}

/// One hostile call: a leaf of the endpoint's good arguments replaced, an unexpected key
/// added, or a malformed body.
fn hostile_call(runner: &mut TestRunner, good: &Value) -> (Option<Value>, Option<(String, Vec<u8>)>) {
    let mut pick = |strategy: BoxedStrategy<usize>| strategy.new_tree(runner).unwrap().current();
    let shape = pick((0..10usize).boxed());
    if shape == 0 {
        return (None, Some(malformed_body().new_tree(runner).unwrap().current()));
    }
    let mut args = good.clone();
    let value = hostile_value().new_tree(runner).unwrap().current();
    let mut paths = Vec::new();
    leaves(&args, Vec::new(), &mut paths);
    if shape == 1 || paths.iter().all(Vec::is_empty) {
        if let Some(map) = args.as_object_mut() {
            map.insert("unexpected".into(), value);
        }
    } else {
        let index = any::<prop::sample::Index>().new_tree(runner).unwrap().current();
        replace(&mut args, &paths[index.index(paths.len())], value);
    }
    (Some(args), None)
}

async fn send(
    client: &mut Client<'_>,
    endpoint: &Endpoint,
    args: &Option<Value>,
    raw: &Option<(String, Vec<u8>)>,
) -> TestResponse {
    match (args, raw) {
        (_, Some((content_type, body))) => client.call_raw(endpoint.path, content_type, body.clone()).await,
        (Some(args), None) => call_with(client, endpoint, args.clone()).await,
        (None, None) => unreachable!("a case has arguments or a body"),
    }
}

async fn hostile_arguments_never_break_anything(app: TestApp) {
    let (acme, _) = matrix_ids(&app).await;
    let mut admin = app.signed_in("admin@acme.test").await;
    let mut operator = app.signed_in("op@platform.test").await;
    let mut customer_user = app.signed_in("cara@acme-customer.test").await;
    let mut runner = TestRunner::new_with_rng(
        Config { cases: CASES as u32, ..Config::default() },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let mut before = fingerprint(&app).await;
    let mut calls = 0;
    for endpoint in ENDPOINTS {
        let good = (endpoint.args)(acme);
        for case in 0..CASES {
            let (args, raw) = hostile_call(&mut runner, &good);
            // Signing out (or deleting oneself) would end the session the next calls need.
            let mut anonymous = app.client_from(&format!("10.77.{}.{}", case, calls % 250));
            let client = match endpoint.access {
                _ if matches!(endpoint.path, "logout" | "account/delete") => &mut anonymous,
                Access::Public => &mut anonymous,
                Access::Operator => &mut operator,
                Access::Portal => &mut customer_user,
                Access::SignedIn | Access::Staff | Access::Needs(_) => &mut admin,
            };
            let res = send(client, endpoint, &args, &raw).await;
            calls += 1;
            let input = match (&args, &raw) {
                (Some(args), _) => args.to_string().chars().take(300).collect::<String>(),
                (_, Some((content_type, body))) => {
                    format!("{content_type}: {:?}", String::from_utf8_lossy(body).chars().take(300).collect::<String>())
                }
                _ => unreachable!(),
            };
            assert!(
                res.status.as_u16() < 500,
                "{} answered {} to {input}: {}",
                endpoint.path,
                res.status,
                res.body.chars().take(300).collect::<String>()
            );
            let after = fingerprint(&app).await;
            if !res.status.is_success() {
                assert_eq!(
                    after, before,
                    "{} changed something though it answered {} to {input}",
                    endpoint.path, res.status
                );
            }
            before = after;
        }
    }
    assert_eq!(calls, ENDPOINTS.len() * CASES);
    // And the server still serves.
    assert_eq!(app.client().get("/healthz").await.status, http::StatusCode::OK);
}

on_both_databases!(hostile_arguments_never_break_anything);
