//! Graceful shutdown of the real binary on SIGTERM: no new connections, requests in flight
//! finish (within `SHUTDOWN_TIMEOUT_SECS`), exit status 0; what is cut off at the deadline is
//! not half-applied.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use stripe_emulator::test_client::TestClient;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::cli::{listening_address, offline_server, read_until};
use crate::helpers::{
    TestDatabase, backend, buy_and_pay, cookie_client, fresh_database, login_with,
};

/// The binary in offline mode with its demo admin signed in, and a paid purchase whose
/// webhook Stripe withheld: syncing it is the one request that settles it.
struct Server {
    process: tokio::process::Child,
    address: String,
    client: reqwest::Client,
    stripe: TestClient,
    purchase: Value,
    database: TestDatabase,
    _dir: tempfile::TempDir,
}

impl Server {
    async fn start(env: &[(&str, &str)]) -> Server {
        let database = fresh_database(backend()).await;
        let dir = tempfile::tempdir().unwrap();
        let mut env = env.to_vec();
        env.push(("RUST_LOG", "info"));
        let mut process = offline_server(&database, dir.path(), &env);
        let mut stdout = BufReader::new(process.stdout.take().unwrap()).lines();
        let mut stderr = BufReader::new(process.stderr.take().unwrap()).lines();
        let key = read_until(&mut stdout, |l| l.trim_start().starts_with("sk_")).await;
        let email = read_until(&mut stdout, |l| l.trim_start().starts_with("email:")).await;
        let password = read_until(&mut stdout, |l| l.trim_start().starts_with("password:")).await;
        let address = listening_address(&mut stderr).await;
        let last_word = |line: &str| line.split_whitespace().last().unwrap().to_owned();
        // Keep reading, so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = stderr.next_line().await {} });

        let client = cookie_client();
        let origin = format!("http://{address}");
        let login_url = format!("{origin}/api/auth/login");
        let login = login_with(
            &client,
            login_url,
            &last_word(&email),
            &last_word(&password),
        )
        .await;
        assert_eq!(login.status(), StatusCode::OK);
        let stripe = TestClient::new(format!("{origin}/_emulator/stripe/"), key.trim());
        stripe.arm_fault("webhooks", &[("mode", "withhold")]).await;
        let purchase = buy_and_pay(&client, &origin, &stripe, 2).await;
        Server {
            process,
            address,
            client,
            stripe,
            purchase,
            database,
            _dir: dir,
        }
    }

    /// Starts the sync of the purchase, which will wait `hang` for Stripe's answer.
    async fn sync_in_flight(
        &self,
        hang: Duration,
    ) -> tokio::task::JoinHandle<reqwest::Result<reqwest::Response>> {
        let hang_ms = hang.as_millis().to_string();
        self.stripe
            .arm_fault(
                "api",
                &[
                    ("mode", "timeout"),
                    ("hang_ms", &hang_ms),
                    ("path", "payment_intents"),
                ],
            )
            .await;
        let sync = self.client.post(format!(
            "http://{}/api/sessions/purchases/{}/sync",
            self.address,
            self.purchase["purchase_id"].as_str().unwrap()
        ));
        let in_flight = tokio::spawn(sync.send());
        // The request has reached the server and waits on Stripe.
        tokio::time::sleep(Duration::from_millis(500)).await;
        in_flight
    }

    fn terminate(&self) {
        let pid = self.process.id().expect("running").to_string();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(sent.success());
    }

    async fn exit_code(&mut self) -> Option<i32> {
        let status = tokio::time::timeout(Duration::from_secs(30), self.process.wait())
            .await
            .expect("exited within 30 s")
            .unwrap();
        status.code()
    }

    /// The sessions in the pool and the purchase's status, read from the database.
    async fn pool_and_status(&self) -> (i64, String) {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.database.url)
            .await
            .unwrap();
        let pool: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(sessions), 0) AS BIGINT) FROM session_ledger",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
        let status: String = sqlx::query_scalar("SELECT status FROM purchases WHERE id = $1")
            .bind(self.purchase["purchase_id"].as_str().unwrap())
            .fetch_one(&mut conn)
            .await
            .unwrap();
        (pool, status)
    }
}

#[tokio::test]
async fn sigterm_refuses_new_connections_finishes_the_request_in_flight_and_exits_0() {
    let mut server = Server::start(&[]).await;
    let in_flight = server.sync_in_flight(Duration::from_secs(2)).await;
    server.terminate();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let late = reqwest::get(format!("http://{}/healthz", server.address)).await;
    assert!(
        late.is_err(),
        "a connection opened after SIGTERM was served"
    );

    let answered = in_flight
        .await
        .unwrap()
        .expect("the request in flight was answered");
    assert_eq!(answered.status(), StatusCode::OK);
    let view: Value = answered.json().await.unwrap();
    assert_eq!(view["status"], "completed");

    assert_eq!(server.exit_code().await, Some(0));
    assert_eq!(server.pool_and_status().await, (2, "completed".to_owned()));
}

#[tokio::test]
async fn a_request_still_running_at_the_shutdown_deadline_is_cut_off_without_half_applying_it() {
    let mut server = Server::start(&[("SHUTDOWN_TIMEOUT_SECS", "1")]).await;
    let in_flight = server.sync_in_flight(Duration::from_secs(6)).await;
    server.terminate();

    assert_eq!(server.exit_code().await, Some(0));
    // Stripe's answer was 5 s away when the 1 s deadline passed.
    assert!(
        in_flight.await.unwrap().is_err(),
        "the server waited past its deadline for the request"
    );
    let (pool, purchase_status) = server.pool_and_status().await;
    assert_eq!(pool, 0, "sessions credited by a request that was cut off");
    assert_ne!(purchase_status, "completed");
}
