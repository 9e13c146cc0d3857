//! Slow clients and a flood of bad webhook posts: 100 connections trickle a body a byte at a
//! time, and 10,000 unsigned, wrongly signed, malformed and oversized (2 MiB) bodies come at
//! concurrency 64, while Stripe's real events keep arriving. Each bad post is refused with a
//! 4xx, the legitimate events are all processed, and memory stays bounded (the suite checks the
//! peak).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use octavia_billing::server::clock::now_unix;
use stripe_emulator::webhooks::signature_header;
use tokio::io::AsyncWriteExt;
use tokio::sync::Semaphore;

use super::{Outcome, Setup};
use crate::checks;
use crate::direct_purchases;
use crate::fleet::{Instance, WEBHOOK_SECRET};
use crate::sender;

const BAD_POSTS: usize = 10_000;
const CONCURRENCY: usize = 64;
const LEGITIMATE: usize = 200;
const OVERSIZED_BYTES: usize = 2 * 1024 * 1024;
const SLOW_CLIENTS: usize = 100;

pub async fn run(setup: &Setup) -> Result<Outcome, String> {
    let (database, stripe) = setup.fresh().await?;
    let instance = Instance::start(&database, &stripe, &setup.rss, &super::instance_env()).await?;
    let (_, bodies) = direct_purchases::with_events(
        &database.db,
        super::DIRECT_PURCHASES,
        &super::made_up_intents(LEGITIMATE, "flood"),
    )
    .await?;
    let endpoint = instance.url("/api/stripe/webhook");
    let legitimate = sender::Burst::start(std::slice::from_ref(&endpoint), bodies, 4);

    let stop = Arc::new(AtomicBool::new(false));
    let address = instance.origin.trim_start_matches("http://").to_owned();
    let slow: Vec<_> = (0..SLOW_CLIENTS)
        .map(|_| tokio::spawn(trickle(address.clone(), stop.clone())))
        .collect();

    let client = reqwest::Client::new();
    let oversized = Arc::new("x".repeat(OVERSIZED_BYTES));
    let gate = Arc::new(Semaphore::new(CONCURRENCY));
    let started = Instant::now();
    let mut posting = tokio::task::JoinSet::new();
    for n in 0..BAD_POSTS {
        let permit = gate
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| e.to_string())?;
        let (client, endpoint, oversized) = (client.clone(), endpoint.clone(), oversized.clone());
        posting.spawn(async move {
            let request = bad_post(&client, &endpoint, n, &oversized);
            let sent = Instant::now();
            let status = request.send().await.map(|r| r.status().as_u16()).ok();
            drop(permit);
            (status, sent.elapsed())
        });
    }
    let mut latencies = Vec::with_capacity(BAD_POSTS);
    let mut not_refused = 0;
    while let Some(done) = posting.join_next().await {
        let (status, latency) = done.map_err(|e| e.to_string())?;
        latencies.push(latency);
        // A refusal is a 4xx; an oversized body may also be cut off before its end.
        if status.is_some_and(|s| !(400..500).contains(&s)) {
            not_refused += 1;
        }
    }
    let elapsed = started.elapsed();
    latencies.sort();
    stop.store(true, Ordering::Relaxed);
    let mut slow_held = 0;
    for client in slow {
        slow_held += usize::from(client.await.unwrap_or(false));
    }
    let mut report = legitimate.finish().await?;
    let tally = checks::all_credited_once(&database).await?;
    let line = format!(
        "slow clients: {slow_held} of {SLOW_CLIENTS} connected throughout; bad posts: throughput {:.1}/s, p50 {:.1} ms, p99 {:.1} ms, not refused {not_refused}; legitimate events: {}, faults injected: {BAD_POSTS} bad posts, purchases checked {}, credits wrong {}",
        BAD_POSTS as f64 / elapsed.as_secs_f64(),
        sender::percentile_ms(&latencies, 50),
        sender::percentile_ms(&latencies, 99),
        report.figures(),
        tally.checked,
        tally.wrong_count()
    );
    let passed = tally.wrong.is_empty()
        && tally.checked == LEGITIMATE
        && report.given_up == 0
        && not_refused == 0;
    drop(instance);
    database.drop_now().await;
    Ok(Outcome::new(
        "slow client / bad input flood",
        passed,
        line,
        &tally,
    ))
}

/// A client sending a webhook body a byte every 50 ms until `stop`; whether it was connected
/// all along.
async fn trickle(address: String, stop: Arc<AtomicBool>) -> bool {
    let Ok(mut stream) = tokio::net::TcpStream::connect(&address).await else {
        return false;
    };
    let head = format!(
        "POST /api/stripe/webhook HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Stripe-Signature: t=1,v1=00\r\nContent-Length: 100000\r\n\r\n"
    );
    if stream.write_all(head.as_bytes()).await.is_err() {
        return false;
    }
    while !stop.load(Ordering::Relaxed) {
        if stream.write_all(b" ").await.is_err() {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    true
}

/// The n-th bad post, one of four kinds in turn.
fn bad_post(
    client: &reqwest::Client,
    endpoint: &str,
    n: usize,
    oversized: &str,
) -> reqwest::RequestBuilder {
    let event = format!(r#"{{"id":"evt_forged_{n}","type":"payment_intent.succeeded"}}"#);
    let post = client
        .post(endpoint)
        .header("content-type", "application/json");
    match n % 4 {
        0 => post.body(event),
        1 => post
            .header(
                "stripe-signature",
                signature_header("whsec_forged", now_unix(), &event),
            )
            .body(event),
        2 => post
            .header("stripe-signature", "t=1,v1=nothex")
            .body("{not json at all"),
        _ => post
            .header(
                "stripe-signature",
                signature_header(WEBHOOK_SECRET, now_unix(), "{}"),
            )
            .body(oversized.to_owned()),
    }
}
