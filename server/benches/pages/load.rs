//! `scripts/load.sh`: many partner users at once on one tenant of a million customers, each
//! doing what people do, with a pause between actions: list pages with searches and filters
//! (80%), customer detail pages (8%), edits carrying the version they read (6%), invitations
//! (4%), and bulk disable/activate of 100–1,000 customers (2%). Reports throughput, p50/p95/p99
//! per action, and every failed answer by status. Loopback only; stops by itself.

use crate::data::SURNAMES;
use crate::http::{Client, Server};
use crate::{percentiles, ADMIN, PASSWORD};
use app::backend::Db;
use hyper::StatusCode;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Action {
    ListPage,
    DetailPage,
    Edit,
    Invite,
    Bulk,
}

impl Action {
    /// The mix people make; with `reads_only`, the writes' share goes to list pages.
    fn pick(rng: &mut StdRng, reads_only: bool) -> Self {
        match rng.gen_range(0..100) {
            0..88 if reads_only => Self::ListPage,
            _ if reads_only => Self::DetailPage,
            0..80 => Self::ListPage,
            80..88 => Self::DetailPage,
            88..94 => Self::Edit,
            94..98 => Self::Invite,
            _ => Self::Bulk,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::ListPage => "list page (search, filters)",
            Self::DetailPage => "customer detail page",
            Self::Edit => "edit (detail, then update with its version)",
            Self::Invite => "invite a customer user",
            Self::Bulk => "bulk disable/activate of 100–1,000",
        }
    }
}

/// How many users, for how long, pausing how long between actions, doing what.
#[derive(Clone, Copy)]
pub(crate) struct Plan {
    pub(crate) users: usize,
    pub(crate) seconds: u64,
    pub(crate) think: Duration,
    pub(crate) reads_only: bool,
}

/// What one simulated user saw.
#[derive(Default)]
struct Tally {
    times: BTreeMap<Action, Vec<Duration>>,
    failures: BTreeMap<(Action, u16), u64>,
}

/// A list page people open: a search, a filter or both, in the list's own query string.
fn list_path(rng: &mut StdRng) -> String {
    let surname = SURNAMES[rng.gen_range(0..SURNAMES.len())].to_lowercase();
    let prefix: String = surname.chars().take(rng.gen_range(3..=5)).collect();
    let query = match rng.gen_range(0..6) {
        0 => String::new(),
        1 => format!("q={prefix}"),
        2 => "status=active&country=DE".to_string(),
        3 => format!("q={prefix}&status=active"),
        4 => "status=disabled".to_string(),
        _ => "sort=created&dir=desc&country=FR".to_string(),
    };
    let query =
        form_urlencoded::Serializer::new(String::new()).extend_pairs(form_urlencoded::parse(query.as_bytes())).finish();
    if query.is_empty() {
        "/customers".into()
    } else {
        format!("/customers?{query}")
    }
}

/// One user's actions until `deadline`; returns what it saw.
async fn user(
    mut client: Client,
    seed: u64,
    ids: (i64, i64),
    think: Duration,
    reads_only: bool,
    deadline: Instant,
) -> Tally {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut tally = Tally::default();
    let mut invitations = 0;
    // New addresses on every run (the database outlives it): someone invited twice is refused.
    let run = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    // People arrive over a moment, not all in the same millisecond: fifty first clicks at once
    // would time a queue no real morning has.
    tokio::time::sleep(think.mul_f64(rng.gen_range(0.0..1.0))).await;
    while Instant::now() < deadline {
        let action = Action::pick(&mut rng, reads_only);
        let customer = rng.gen_range(ids.0..=ids.1);
        let started = Instant::now();
        let status = match action {
            Action::ListPage => client.get(&list_path(&mut rng)).await.0,
            Action::DetailPage => client.get(&format!("/customers/{customer}")).await.0,
            Action::Edit => {
                let (status, body) = client.post_json("customers/detail", &format!(r#"{{"id":{customer}}}"#)).await;
                if status != StatusCode::OK {
                    status
                } else {
                    let detail: serde_json::Value = serde_json::from_str(&body).expect("detail JSON");
                    let mut values = detail["stored"]["values"].clone();
                    values["city"] = serde_json::Value::from(format!("Loadtown {}", rng.gen_range(0..1000)));
                    let mut update = serde_json::json!({
                        "id": customer, "version": detail["stored"]["version"], "input": values, "allow_duplicate_name": true,
                    });
                    let (status, body) = client.post_json("customers/update", &update.to_string()).await;
                    // The generated data holds phone numbers no number plan has; the form flags
                    // them, and the person clears what it flags and saves again.
                    match serde_json::from_str::<serde_json::Value>(&body)
                        .ok()
                        .and_then(|e| e["Invalid"].as_object().cloned())
                    {
                        Some(flagged) if status == StatusCode::UNPROCESSABLE_ENTITY => {
                            for field in flagged.keys() {
                                update["input"][field.as_str()] = serde_json::Value::from("");
                            }
                            client.post_json("customers/update", &update.to_string()).await.0
                        }
                        _ => status,
                    }
                }
            }
            Action::Invite => {
                invitations += 1;
                let invite = serde_json::json!({
                    "customer_id": customer,
                    "input": {
                        "full_name": "Load Tester",
                        "email": format!("load-{run}-{seed}-{invitations}@example.com"),
                        "role": "Member",
                        "method": "DisplayLink",
                    },
                });
                client.post_json("customer-users/invite", &invite.to_string()).await.0
            }
            Action::Bulk => {
                let size = rng.gen_range(100..=1000);
                let first = rng.gen_range(ids.0..=(ids.1 - size));
                let status = if rng.gen_bool(0.5) { "Disabled" } else { "Active" };
                let selection: Vec<i64> = (first..first + size).collect();
                let body = serde_json::json!({ "selection": { "Ids": selection }, "status": status });
                client.post_json("customers/set-status", &body.to_string()).await.0
            }
        };
        // Every answer is timed; those that were not a success are also counted by status. A
        // 4xx is a refusal a person reads (a customer disabled meanwhile, someone else's edit
        // first), a 5xx a fault.
        tally.times.entry(action).or_default().push(started.elapsed());
        if !status.is_success() {
            *tally.failures.entry((action, status.as_u16())).or_default() += 1;
        }
        // Think time: people read what they opened before the next click (0.5–1.5 × `think`).
        tokio::time::sleep(think.mul_f64(rng.gen_range(0.5..1.5))).await;
    }
    tally
}

/// Runs `users` users against the server on `url` for `seconds`; returns the report's rows.
pub(crate) async fn run(name: &str, url: &str, db: &Db, tenant: i64, plan: &Plan) -> Vec<String> {
    let Plan { users, seconds, think, reads_only } = *plan;
    let ids: (i64, i64) = {
        use sqlx::Row;
        let row = sqlx::query("SELECT MIN(id) AS lo, MAX(id) AS hi FROM customers WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_one(&db.pool)
            .await
            .unwrap();
        (row.get("lo"), row.get("hi"))
    };
    let server = Server::start(url).await;
    let mut clients = Vec::new();
    for _ in 0..users {
        clients.push(Client::signed_in(server.addr, ADMIN, PASSWORD).await);
    }
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, client)| tokio::spawn(user(client, i as u64 + 1, ids, think, reads_only, deadline)))
        .collect();
    let mut peak_rss: f64 = 0.0;
    while Instant::now() < deadline {
        peak_rss = peak_rss.max(server.memory().0);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut all = Tally::default();
    for task in tasks {
        let tally = task.await.expect("a simulated user crashed");
        for (action, times) in tally.times {
            all.times.entry(action).or_default().extend(times);
        }
        for (key, n) in tally.failures {
            *all.failures.entry(key).or_default() += n;
        }
    }
    let wall = started.elapsed().as_secs_f64();
    let answered: usize = all.times.values().map(Vec::len).sum();
    let count = |action: Option<Action>, server_side: bool| -> u64 {
        all.failures
            .iter()
            .filter(|((a, status), _)| action.is_none_or(|x| x == *a) && (*status >= 500) == server_side)
            .map(|(_, n)| n)
            .sum()
    };
    let mut rows = vec![format!(
        "| {name} | all | {answered} | {:.1}/s | | | | {} | {} |",
        answered as f64 / wall,
        count(None, false),
        count(None, true)
    )];
    for (action, times) in all.times {
        let n = times.len();
        let (p50, p95, p99) = percentiles(times);
        rows.push(format!(
            "| {name} | {} | {n} | {:.1}/s | {p50:.1} | {p95:.1} | {p99:.1} | {} | {} |",
            action.label(),
            n as f64 / wall,
            count(Some(action), false),
            count(Some(action), true)
        ));
    }
    for ((action, status), n) in &all.failures {
        rows.push(format!("| {name} | answered {status}: {} | {n} | | | | | | |", action.label()));
    }
    rows.push(format!("| {name} | server memory, peak RSS | {peak_rss:.0} MiB | | | | | | |"));
    for row in &rows {
        eprintln!("{row}");
    }
    rows
}
