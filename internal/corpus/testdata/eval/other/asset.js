SCAM 60 lock.keyboard
