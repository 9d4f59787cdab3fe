// Package langchaingo implements the AI ports of action/ai (ai.Responder and
// ai.Translator) over a langchaingo llms.Model: OpenAI-compatible servers
// (OpenAI, Ollama's /v1, vLLM, llama.cpp, Gemini's OpenAI endpoint),
// Anthropic and native Ollama.
//
// A Responder assembles one prompt per reply:
//
//   - one system message: the account prompt and the workflow prompt, fixed
//     rules (WhatsApp formatting, language, length, prices only from the
//     catalogue), the catalogue summarised to a character budget, the
//     helpers and the contact's name;
//   - the history: customer messages as human turns, agent and automation
//     messages as AI turns, consecutive turns of one role merged, leading AI
//     turns dropped, agent replies marked, the most recent kept within a
//     character budget;
//   - the triggering message as the last human turn, with its media: images
//     as image parts (for vision models), PDF text extracted locally, voice
//     notes transcribed by a Transcriber. The customer's text is data and
//     only ever appears in human turns.
//
// Every call has a max-tokens option and a deadline. The reply passes output
// guards before it is returned: <think> blocks and an echoed prefix are
// removed, the length is capped, leaks of the system prompt are rejected and,
// when configured, links and phone numbers outside an allow-list are
// stripped or rejected. The model gets no tools and never chooses the
// recipient: the core sends the reply to the chat that triggered it.
//
// Credits, debounce and the pre-send check are the core engine's job, done
// around the Responder.
package langchaingo
