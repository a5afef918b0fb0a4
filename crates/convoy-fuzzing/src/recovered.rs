//! What every recovery check ends with: the recovered directory must take
//! a commit, and a reopen must keep it — so a recovery that left the log
//! unwritable or its writer at the wrong offset is caught.

use std::sync::Arc;

use convoy_core::model::User;
use convoy_core::{Batch, EntityId, Op, Timestamp};
use convoy_store::{Db, MemStorage, Options};

use crate::bug;

/// A recovered handle takes a commit, and a reopen keeps it.
pub(crate) fn commit_and_reopen(db: Db, storage: &MemStorage) {
    let dir = db.dir().to_path_buf();
    let before = db.last_seq();
    let user = User::new("after recovery").unwrap_or_else(|e| bug(format!("user: {e}")));
    let id = EntityId::from_uuid(uuid::Uuid::from_u128(u128::MAX / 3));
    let create = Op::Create { id, at: Timestamp::from_micros(1), data: user.into() };
    let seq = db.commit(Batch::from(create)).unwrap_or_else(|e| bug(format!("commit after recovery: {e}")));
    assert!(seq == before + 1, "commit after recovery got seq {seq}, expected {}", before + 1);
    let state = db.read().state();
    db.close().unwrap_or_else(|e| bug(format!("close after recovery: {e}")));
    let options = Options::new().storage(Arc::new(storage.clone())).snapshot_every(None, None);
    let db = Db::open(&dir, options).unwrap_or_else(|e| bug(format!("reopen after a commit on a recovered log: {e}")));
    assert!(db.last_seq() == seq && db.read().state() == state, "the commit after recovery did not survive a reopen");
}
