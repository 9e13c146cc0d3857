//! Server rendering: `/billing` signed in, against the bare handler doing the same database
//! reads (see `bare.rs`), with the same load tool.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::bare;
use crate::load::{self, Run};

/// Requests before each measured run: connections open, caches and the database warm.
pub const WARM_UP: usize = 100;

/// The bare handler, in a process of its own (this binary in its other mode).
pub struct BareHandler {
    _process: tokio::process::Child,
    pub pid: u32,
    pub url: String,
}

impl BareHandler {
    pub async fn start(database_url: &str) -> Result<BareHandler, String> {
        let binary = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut process = tokio::process::Command::new(binary)
            .args([bare::MODE, database_url])
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("could not start the bare handler: {e}"))?;
        let pid = process.id().ok_or("the bare handler exited at once")?;
        let mut stdout = BufReader::new(process.stdout.take().ok_or("no stdout")?).lines();
        let address = tokio::time::timeout(Duration::from_secs(30), stdout.next_line())
            .await
            .map_err(|_| "the bare handler did not start")?
            .map_err(|e| e.to_string())?
            .and_then(|line| line.strip_prefix("listening on ").map(str::to_owned))
            .ok_or("the bare handler did not say where it listens")?;
        Ok(BareHandler {
            _process: process,
            pid,
            url: format!("{address}{}", bare::PATH),
        })
    }
}

/// `requests` GETs of `url` with the signed-in `client`, after a warm-up.
pub async fn measure(client: &reqwest::Client, url: &str, requests: usize) -> Result<Run, String> {
    let get = {
        let url = url.to_owned();
        move |client: &reqwest::Client, _| client.get(&url)
    };
    load::run(client, WARM_UP, get.clone()).await?;
    load::run(client, requests, get).await
}
