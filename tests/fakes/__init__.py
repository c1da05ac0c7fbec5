"""Loopback fake providers that speak the published OpenAI, DashScope and Gemini realtime protocols.

Only the paid providers are faked; everything of ours runs for real against them. Usage::

    from tests.fakes import FakeOpenAI, FakeDashScope, FakeGemini, FakeToolCall, Reply, tone, silence

    async with FakeOpenAI(api_key="k") as fake:        # also: FakeOpenAI(legacy_names=True)
        spec = AgentSpec(..., provider="openai", api_key="k", base_url=fake.url)
        fake.queue(Reply(text="Hi!", audio_ms=200),  # replies are used in order, then
                   Reply(tool_calls=(FakeToolCall("get_weather", {"city": "Paris"}),)))
        ...                                            # ``fake.default_reply``
        await fake.wait_for("response.create")         # frames the adapter sent, recorded in order
        assert fake.sent_of("conversation.item.create")[-1]["item"]["output"] == "..."
        await fake.send({...})                         # push any server message (error, goAway...)
        await fake.drop(1011)                          # kill the socket

Common API (``tests.fakes.server.FakeProvider``):

* ``url`` -- the base URL to give the adapter: ``ws://127.0.0.1:<port>/v1/realtime`` (OpenAI),
  ``.../api-ws/v1/realtime`` (DashScope), ``.../ws/google...BidiGenerateContent`` (Gemini, full URL).
* ``api_key`` -- the expected key. OpenAI and DashScope reject a wrong ``Authorization: Bearer`` with
  HTTP 401 at the handshake; Gemini checks ``x-goog-api-key`` and closes with 1008, like Google does.
  ``rejected`` keeps the headers of refused attempts.
* ``connections`` / ``last`` -- one ``FakeConnection`` per socket: ``path``, ``query`` (e.g.
  ``{"model": "gpt-realtime"}``), ``headers``, ``frames`` (every JSON frame received, in order).
* ``received``, ``sent_of(kind)``, ``kinds()`` -- frames across connections; ``kind`` is the ``type``
  (OpenAI/DashScope) or the top-level key (Gemini: ``setup``, ``realtimeInput``, ``toolResponse``...).
* ``await wait_for(kind_or_predicate, count=1, timeout=5)``, ``await wait_connections(n)``,
  ``await wait_closed()``.
* ``queue(*replies)``, ``default_reply``, ``user_transcript`` (what the fake "heard" the user say).
* ``Reply(text, audio_ms, chunk_ms, tool_calls, drop_after_chunks, chunk_delay_s, input_tokens,
  output_tokens)``: ``drop_after_chunks=N`` closes the socket (1011) after N audio chunks;
  ``chunk_delay_s`` paces the stream so cancel / barge-in can land mid-response.

Behaviour:

* Server VAD (OpenAI/DashScope with ``turn_detection`` set, Gemini with automatic activity detection):
  an RMS detector over the appended PCM (``tone()`` is speech, ``silence()`` is not) at the provider's
  input rate (24 kHz OpenAI, 16 kHz DashScope and Gemini). OpenAI/DashScope emit
  ``input_audio_buffer.speech_started``/``speech_stopped`` with ``audio_start_ms``/``audio_end_ms``,
  ``committed``, the user transcript (OpenAI: deltas + completed; DashScope: completed only) and then
  a response. Speech during a response cancels it (``response.done`` status ``cancelled``) on
  OpenAI/DashScope, or sends ``serverContent.interrupted`` on Gemini. Gemini sends no VAD events,
  only ``inputTranscription`` fragments.
* Errors are the providers' own: OpenAI/DashScope answer bad events with ``{"type": "error", "error":
  {type, code, message, param, event_id}}`` and keep the socket (unknown type, bad base64, commit of
  an empty buffer, ``response.cancel`` with nothing active, truncate beyond the audio sent, a non-string
  ``function_call_output.output``, an unknown ``call_id``); DashScope refuses
  ``conversation.item.create`` as an unknown event. Gemini closes with 1007 and a reason (setup not
  first, a non-object ``functionResponses[].response``...).
* DashScope's output format comes from the model, not the request: ``FakeDashScope(
  output_audio_format="pcm16")`` streams 16 kHz whatever ``session.update`` asks for.
* ``FakeGemini(pack_messages=True)`` puts audio parts and transcription in one message and
  ``generationComplete`` + ``turnComplete`` + ``usageMetadata`` in one message. With
  ``sessionResumption`` in ``setup`` it issues ``sessionResumptionUpdate`` handles after each turn.
"""

from __future__ import annotations

from tests.fakes.dashscope_server import FakeDashScope
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.script import FakeToolCall, Reply, silence, tone
from tests.fakes.server import FakeConnection, FakeProvider

__all__ = ["FakeConnection", "FakeDashScope", "FakeGemini", "FakeOpenAI", "FakeProvider", "FakeToolCall",
           "Reply", "silence", "tone"]
