//! The connection pool every query goes through, counting the queries that wait for a
//! connection: sqlx's pool does not say how many wait, and an operator wants to see a pool
//! that is too small before it times out.

use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_core::future::BoxFuture;
use futures_core::stream::BoxStream;
use futures_util::TryStreamExt;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, Database, Describe, Either, Execute, Executor, SqlStr};

/// An `AnyPool` (it dereferences to one) whose acquisitions are counted while they wait.
#[derive(Clone, Debug)]
pub struct CountedPool {
    pool: AnyPool,
    waiting: Arc<AtomicUsize>,
}

impl CountedPool {
    pub fn new(pool: AnyPool) -> Self {
        CountedPool {
            pool,
            waiting: Default::default(),
        }
    }

    /// Queries waiting for a connection now.
    pub fn waiters(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Counts the caller among the waiters until the returned guard is dropped.
    pub fn wait(&self) -> Waiting {
        self.waiting.fetch_add(1, Ordering::Relaxed);
        Waiting(self.waiting.clone())
    }

    pub async fn acquire(&self) -> Result<PoolConnection<Any>, sqlx::Error> {
        let _waiting = self.wait();
        self.pool.acquire().await
    }
}

impl Deref for CountedPool {
    type Target = AnyPool;

    fn deref(&self) -> &AnyPool {
        &self.pool
    }
}

/// One waiter; counted out when dropped, so a canceled wait is counted out too.
pub struct Waiting(Arc<AtomicUsize>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

type QueryResult = <Any as Database>::QueryResult;
type Row = <Any as Database>::Row;

/// As sqlx's own `&Pool` executor (a connection per query), with the wait counted. Rows are
/// collected before they are streamed: the app's queries return pages, never whole tables.
impl<'p> Executor<'p> for &'_ CountedPool {
    type Database = Any;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<QueryResult, Row>, sqlx::Error>>
    where
        E: 'q + Execute<'q, Any>,
    {
        let pool = self.clone();
        let items = async move {
            let mut conn = pool.acquire().await?;
            (&mut *conn).fetch_many(query).try_collect::<Vec<_>>().await
        };
        Box::pin(
            futures_util::stream::once(items)
                .map_ok(|items| futures_util::stream::iter(items.into_iter().map(Ok)))
                .try_flatten(),
        )
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<Row>, sqlx::Error>>
    where
        E: 'q + Execute<'q, Any>,
    {
        let pool = self.clone();
        Box::pin(async move {
            let mut conn = pool.acquire().await?;
            (&mut *conn).fetch_optional(query).await
        })
    }

    fn prepare_with<'e>(
        self,
        sql: SqlStr,
        parameters: &'e [<Any as Database>::TypeInfo],
    ) -> BoxFuture<'e, Result<<Any as Database>::Statement, sqlx::Error>>
    where
        'p: 'e,
    {
        let pool = self.clone();
        Box::pin(async move {
            let mut conn = pool.acquire().await?;
            (&mut *conn).prepare_with(sql, parameters).await
        })
    }

    fn describe<'e>(self, sql: SqlStr) -> BoxFuture<'e, Result<Describe<Any>, sqlx::Error>>
    where
        'p: 'e,
    {
        let pool = self.clone();
        Box::pin(async move {
            let mut conn = pool.acquire().await?;
            (&mut *conn).describe(sql).await
        })
    }
}
