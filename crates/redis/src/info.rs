//! The `# mmvec` section of `INFO`.

use std::sync::atomic::Ordering;

use redis_module::{InfoContext, raw};

use crate::durability::policy;
use crate::snapshot::carries_data;
use crate::vector_key::{DATA_BYTES, VECTORS};

pub fn section(ctx: &InfoContext, _for_crash_report: bool) {
    raw::add_info_section(ctx.ctx, None);
    raw::add_info_field_long_long(ctx.ctx, "vectors", VECTORS.load(Ordering::Relaxed));
    raw::add_info_field_long_long(ctx.ctx, "mapped_bytes", DATA_BYTES.load(Ordering::Relaxed));
    raw::add_info_field_str(ctx.ctx, "fsync", &format!("{:?}", policy()));
    raw::add_info_field_str(ctx.ctx, "snapshot", if carries_data() { "data" } else { "path" });
}
