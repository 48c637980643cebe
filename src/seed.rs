pub fn load(_db: &crate::db::Database) -> crate::Result<String> {
    Ok(String::new())
}
