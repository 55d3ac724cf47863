//! The `customers` domain: the list (search, filters, sorting, keyset paging) and bulk status.

mod list;
mod status;
