//! What the chaos suite and the benchmark run on: a PostgreSQL database of their own, one Stripe
//! (the emulator on a port of its own, its webhooks withheld: the runs deliver them, as Stripe
//! would), and processes of the release server (`SERVER_BIN`, which the scripts build), whose
//! memory is watched while they run.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use octavia_billing::domain::email::EmailAddress;
use octavia_billing::domain::institution_name::InstitutionName;
use octavia_billing::domain::password::NewPassword;
use octavia_billing::server::bootstrap::{self, InstitutionChange};
use octavia_billing::server::config::DatabaseKind;
use octavia_billing::server::storage::Db;
use secrecy::SecretString;
use serde_json::{Value, json};
use sqlx::Connection;
use stripe_emulator::test_client::{TestClient, shared_stripe};
use tokio::io::{AsyncBufReadExt, BufReader};

pub const WEBHOOK_SECRET: &str = "whsec_fleet";
pub const ADMIN: &str = "bursar@fleet.test";
pub const PASSWORD: &str = "fleet admin password";
pub const INSTITUTION: &str = "Fleet University";
const METRICS_TOKEN: &str = "fleet-metrics";

/// A run's database; dropped (with its connections) by [`Database::drop_now`].
pub struct Database {
    server: String,
    pub name: String,
    pub url: String,
    pub db: Db,
}

impl Database {
    /// A database named `<prefix><uuid>` on `server`, migrated, with [`ADMIN`] of
    /// [`INSTITUTION`].
    pub async fn create(server: &str, prefix: &str) -> Result<Database, String> {
        sqlx::any::install_default_drivers();
        let name = format!("{prefix}{}", uuid::Uuid::new_v4().simple());
        admin_sql(server, &format!("CREATE DATABASE {name}")).await?;
        let url = format!(
            "{}/{name}",
            server.rsplit_once('/').ok_or("no database part")?.0
        );
        let db = Db::connect(&SecretString::from(url.clone()), DatabaseKind::Postgres)
            .await
            .map_err(|e| e.to_string())?;
        db.migrate().await.map_err(|e| e.to_string())?;
        bootstrap::add_admin(
            &db,
            &InstitutionName::parse(INSTITUTION)?,
            &EmailAddress::parse(ADMIN)?,
            &NewPassword::parse(PASSWORD)?,
            InstitutionChange::Refuse,
        )
        .await
        .map_err(|e| e.to_string())?;
        Ok(Database {
            server: server.to_owned(),
            name,
            url,
            db,
        })
    }

    /// Runs `sql` on the server's maintenance database (outside this one).
    pub async fn admin(&self, sql: &str) -> Result<(), String> {
        admin_sql(&self.server, sql).await
    }

    pub async fn drop_now(self) {
        self.db.pool().close().await;
        let _ = admin_sql(
            &self.server,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        )
        .await;
    }

    /// A number from the database, for the checks.
    pub async fn count(&self, sql: &str) -> Result<i64, String> {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(self.db.pool())
            .await
            .map_err(|e| format!("{sql}: {e}"))
    }
}

/// The database names are ours (a fixed prefix and hex digits), so building the SQL is safe.
async fn admin_sql(server: &str, sql: &str) -> Result<(), String> {
    let mut conn = sqlx::AnyConnection::connect(server)
        .await
        .map_err(|e| format!("PostgreSQL at {server} is not reachable: {e}"))?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut conn)
        .await
        .map_err(|e| format!("{sql}: {e}"))?;
    let _ = conn.close().await;
    Ok(())
}

/// The fleet's Stripe.
pub struct Stripe {
    pub client: TestClient,
    pub publishable_key: String,
}

impl Stripe {
    pub async fn start() -> Result<Stripe, String> {
        let (client, publishable_key) = shared_stripe(WEBHOOK_SECRET).await;
        Ok(Stripe {
            client,
            publishable_key,
        })
    }

    pub async fn fault(&self, kind: &str, form: &[(&str, &str)]) -> Result<(), String> {
        let response = self.client.post(&format!("_faults/{kind}"), form).await;
        match response.status().as_u16() {
            200 => Ok(()),
            status => Err(format!("fault {kind} not armed: {status}")),
        }
    }

    /// A GET or POST at Stripe that must succeed; a 500 a chaos scenario injected is tried
    /// again, as any Stripe client would.
    pub async fn call(&self, post: Option<&[(&str, &str)]>, path: &str) -> Result<Value, String> {
        for _ in 0..20 {
            let response = match post {
                Some(form) => self.client.post(path, form).await,
                None => self.client.get(path).await,
            };
            let status = response.status();
            let body: Value = response.json().await.map_err(|e| e.to_string())?;
            match status.as_u16() {
                200 => return Ok(body),
                500 => tokio::time::sleep(Duration::from_millis(50)).await,
                _ => return Err(format!("{path}: {status} {body}")),
            }
        }
        Err(format!("{path}: Stripe failed 20 times"))
    }

    /// Every object of a list endpoint (`v1/events`, `v1/payment_intents`), oldest first.
    pub async fn all(&self, path: &str) -> Result<Vec<Value>, String> {
        let mut items = Vec::new();
        let mut cursor = String::new();
        loop {
            let page = self
                .call(None, &format!("{path}?limit=100{cursor}"))
                .await?;
            let data = page["data"].as_array().ok_or("not a list")?;
            items.extend(data.iter().cloned());
            match data.last() {
                Some(last) if page["has_more"] == true => {
                    cursor = format!(
                        "&starting_after={}",
                        last["id"].as_str().unwrap_or_default()
                    );
                }
                _ => break,
            }
        }
        items.reverse();
        Ok(items)
    }
}

/// One release server process, sharing the database and Stripe.
pub struct Instance {
    process: tokio::process::Child,
    pub pid: u32,
    pub origin: String,
}

impl Instance {
    /// Starts `SERVER_BIN` on the database and Stripe, with `env` added to its environment.
    pub async fn start(
        database: &Database,
        stripe: &Stripe,
        rss: &PeakRss,
        env: &[(&str, String)],
    ) -> Result<Instance, String> {
        let binary = std::env::var("SERVER_BIN")
            .map_err(|_| "SERVER_BIN is not set (the scripts set it)")?;
        let mut process = tokio::process::Command::new(binary)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &database.url)
            .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
            .env("STRIPE_SECRET_KEY", stripe.client.key())
            .env("STRIPE_PUBLISHABLE_KEY", &stripe.publishable_key)
            .env("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
            .env("STRIPE_API_BASE", stripe.client.base())
            .env("STRIPE_JS_URL", format!("{}js/v3/", stripe.client.base()))
            .env("METRICS_TOKEN", METRICS_TOKEN)
            .env("RUST_LOG", "warn,octavia_billing::server::startup=info")
            .envs(env.iter().map(|(name, value)| (name, value)))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("could not start the server: {e}"))?;
        let pid = process.id().ok_or("the server exited at once")?;
        let mut stderr = BufReader::new(process.stderr.take().ok_or("no stderr")?).lines();
        let listening = tokio::time::timeout(Duration::from_secs(30), async {
            while let Ok(Some(line)) = stderr.next_line().await {
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    return rest.split_whitespace().next().map(str::to_owned);
                }
            }
            None
        })
        .await
        .ok()
        .flatten()
        .ok_or("the server did not start listening")?;
        tokio::spawn(async move { while let Ok(Some(_)) = stderr.next_line().await {} });
        rss.watch(pid);
        Ok(Instance {
            process,
            pid,
            origin: format!("http://{listening}"),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.process.try_wait(), Ok(None))
    }

    /// SIGKILL: no shutdown, no finishing anything.
    pub async fn kill(&mut self) {
        let _ = self.process.kill().await;
    }

    /// The sum of the instance's metric `name` over the series whose labels include `label`
    /// (`outcome="ok"`; empty for all).
    pub async fn metric(&self, name: &str, label: &str) -> Result<f64, String> {
        let text = reqwest::Client::new()
            .get(self.url("/metrics"))
            .bearer_auth(METRICS_TOKEN)
            .send()
            .await
            .map_err(|e| e.to_string())?
            .text()
            .await
            .map_err(|e| e.to_string())?;
        Ok(text
            .lines()
            .filter(|line| line.starts_with(&format!("{name}{{")) && line.contains(label))
            .filter_map(|line| line.rsplit_once(' ')?.1.parse::<f64>().ok())
            .sum())
    }

    /// A browser signed in as the admin.
    pub async fn signed_in(&self) -> Result<reqwest::Client, String> {
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .map_err(|e| e.to_string())?;
        let login = browser
            .post(self.url("/api/auth/login"))
            .json(&json!({"email": ADMIN, "password": PASSWORD}))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if login.status() != 200 {
            return Err(format!("sign-in answered {}", login.status()));
        }
        Ok(browser)
    }
}

/// The highest resident memory of any instance, sampled every 50 ms from /proc.
#[derive(Clone, Default)]
pub struct PeakRss(Arc<AtomicU64>);

impl PeakRss {
    fn watch(&self, pid: u32) {
        let peak = self.0.clone();
        tokio::spawn(async move {
            while let Some(kib) = resident_kib(pid) {
                peak.fetch_max(kib, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
    }

    pub fn mib(&self) -> f64 {
        self.0.load(Ordering::Relaxed) as f64 / 1024.0
    }
}

/// The process's resident memory now (`VmRSS`), in MiB.
pub fn resident_mib(pid: u32) -> Option<f64> {
    Some(status_kib(pid, "VmRSS:")? as f64 / 1024.0)
}

/// The resident memory's two parts, in MiB: anonymous (the heap, stacks) and file-backed (the
/// binary's code and data pages that have been touched, which the kernel may drop any time).
pub fn resident_parts_mib(pid: u32) -> Option<(f64, f64)> {
    let mib = |field| Some(status_kib(pid, field)? as f64 / 1024.0);
    Some((mib("RssAnon:")?, mib("RssFile:")?))
}

/// `VmHWM` (the process's own peak) or else `VmRSS`, in KiB; `None` once the process is gone.
fn resident_kib(pid: u32) -> Option<u64> {
    status_kib(pid, "VmHWM:").or_else(|| status_kib(pid, "VmRSS:"))
}

/// A `/proc/<pid>/status` field in KiB.
fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse::<u64>().ok())
}
