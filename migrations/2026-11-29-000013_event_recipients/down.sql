DROP TABLE event_recipients;
