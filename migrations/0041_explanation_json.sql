-- A routing decision's explanation is written once, read whole, and only
-- ever looked into for one key (the founder view's 'router'). As json it is
-- stored as written: the routing transaction no longer converts every
-- explanation (tens of kilobytes each) to jsonb's binary form while it
-- holds the routing lock.
ALTER TABLE routing_decisions ALTER COLUMN explanation TYPE json USING explanation::json;
ALTER TABLE routing_decisions ALTER COLUMN explanation SET COMPRESSION lz4;
