//! The one load tool every HTTP figure is measured with: a fixed number of requests from
//! CONCURRENCY workers over kept-alive connections, each answer checked, each latency kept.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub const CONCURRENCY: usize = 16;

/// What a run measured.
pub struct Run {
    pub requests: usize,
    pub elapsed: Duration,
    /// Sorted.
    pub latencies: Vec<Duration>,
}

impl Run {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }

    /// The p-th percentile latency in milliseconds.
    pub fn percentile_ms(&self, p: usize) -> f64 {
        match self.latencies.len() {
            0 => 0.0,
            n => self.latencies[(n * p / 100).min(n - 1)].as_secs_f64() * 1000.0,
        }
    }
}

/// Sends `requests` requests, the i-th built by `request(&client, i)`; any answer but 200 stops
/// the run with an error naming it.
pub async fn run<F>(client: &reqwest::Client, requests: usize, request: F) -> Result<Run, String>
where
    F: Fn(&reqwest::Client, usize) -> reqwest::RequestBuilder + Send + Sync + 'static,
{
    let request = Arc::new(request);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (client, request, next) = (client.clone(), request.clone(), next.clone());
        workers.spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    return Ok(latencies);
                }
                let sent = Instant::now();
                let response = request(&client, i)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let status = response.status();
                // The whole body, as a browser or Stripe would read it.
                let body = response.bytes().await.map_err(|e| e.to_string())?;
                latencies.push(sent.elapsed());
                if status != 200 {
                    return Err(format!(
                        "request {i} answered {status}: {}",
                        String::from_utf8_lossy(&body[..body.len().min(200)])
                    ));
                }
            }
        });
    }
    let mut latencies = Vec::with_capacity(requests);
    while let Some(worker) = workers.join_next().await {
        latencies.extend(worker.map_err(|e| e.to_string())??);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    Ok(Run {
        requests,
        elapsed,
        latencies,
    })
}
