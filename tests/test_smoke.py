def test_first_message_starts_registration_in_italian(chat):
    chat.say("ciao")
    assert chat.labels == ["Italiano", "English"]
