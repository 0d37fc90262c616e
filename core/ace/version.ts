/** Version of the engine (format, prompts, merge rules); store it with each evolved version. */
export const ACE_CORE_VERSION = "ace-core/1.1.0";
