"""The loop helpers give what the one-shot functions give."""

from shegong.core import crypto


def test_sealer_tokens_decrypt_and_indexer_matches_blind_index():
    seal = crypto.sealer()
    token = seal("13800138000", "t.c:uid")
    assert token.startswith(f"{crypto.TOKEN_SCHEME}:{crypto.keyring().current_id}:")
    assert crypto.decrypt(token, "t.c:uid") == "13800138000"
    assert crypto.indexer("phone")("13800138000") == crypto.blind_index("phone", "13800138000")
